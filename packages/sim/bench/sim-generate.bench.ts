// How long the simulator takes to generate the 150,000-pod scenario and how much heap the objects
// keep, next to a floor measured in the same run: JSON.parse of the very same objects, serialised;
// then how long loading them into the server's store takes (server-filled fields included).
// Run: npm run bench sim-generate
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { heapUsed, mb } from "@meshsync/testing/heap";
import type { KubeObject } from "../src/object-api.js";
import { generateScenario } from "../src/scenarios/index.js";
import { SimulatorServer } from "../src/server.js";

const scenario = "scale";
const seed = 1;
// Timings are the median of a few runs: on a shared machine one run can be off by half.
const runs = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

// Generate; the last run's objects are kept for the heap figure and the baseline.
const generateTimes: number[] = [];
let objects: KubeObject[] | undefined;
let generatedHeap = 0;
for (let run = 0; run < runs; run++) {
  objects = undefined;
  const heapBefore = heapUsed();
  const started = performance.now();
  objects = generateScenario(scenario, seed);
  generateTimes.push(performance.now() - started);
  generatedHeap = heapUsed() - heapBefore;
}
if (!objects) throw new Error("no runs");
const generateMs = median(generateTimes);
const objectCount = objects.length;
const pods = objects.filter((o) => o.kind === "Pod").length;
const services = objects.filter((o) => o.kind === "Service").length;
const nodes = objects.filter((o) => o.kind === "Node").length;

// Serialise into Buffers, which live outside the V8 heap, so the baseline's heap figure holds only
// what JSON.parse builds.
const serialised: Buffer[] = objects.map((o) => Buffer.from(JSON.stringify(o)));
const jsonBytes = serialised.reduce((sum, b) => sum + b.length, 0);
objects = undefined;

const parseTimes: number[] = [];
let parsedHeap = 0;
let parsedCount = 0;
for (let run = 0; run < runs; run++) {
  const heapBefore = heapUsed();
  const started = performance.now();
  let parsed: unknown[] | undefined = serialised.map((b) => JSON.parse(b.toString("utf8")));
  parseTimes.push(performance.now() - started);
  parsedHeap = heapUsed() - heapBefore;
  parsedCount = parsed.length;
  parsed = undefined;
}
const parseMs = median(parseTimes);

// Loading: a fresh scenario each run (generated outside the timing) into a fresh server's store.
const loadTimes: number[] = [];
let loadedHeap = 0;
for (let run = 0; run < runs; run++) {
  let fresh: KubeObject[] | undefined = generateScenario(scenario, seed);
  const heapBefore = heapUsed();
  const started = performance.now();
  let server: SimulatorServer | undefined = new SimulatorServer();
  server.load(fresh);
  loadTimes.push(performance.now() - started);
  fresh = undefined;
  loadedHeap = heapUsed() - heapBefore;
  server = undefined;
}
const loadMs = median(loadTimes);

const result = {
  benchmark: "sim-generate",
  scenario,
  seed,
  node: process.version,
  objects: objectCount,
  pods,
  services,
  nodes,
  runs,
  generateMs: Math.round(generateMs),
  generateRunsMs: generateTimes.map(Math.round),
  generatedHeapMB: mb(generatedHeap),
  generatedBytesPerObject: Math.round(generatedHeap / objectCount),
  loadMs: Math.round(loadMs),
  loadRunsMs: loadTimes.map(Math.round),
  loadedExtraHeapMB: mb(loadedHeap),
  baseline: {
    what: "JSON.parse of the same objects, serialised one by one",
    jsonMB: mb(jsonBytes),
    parseMs: Math.round(parseMs),
    parseRunsMs: parseTimes.map(Math.round),
    parsedHeapMB: mb(parsedHeap),
    parsedBytesPerObject: Math.round(parsedHeap / parsedCount),
  },
  timeRatio: Math.round((generateMs / parseMs) * 100) / 100,
  heapRatio: Math.round((generatedHeap / parsedHeap) * 100) / 100,
  loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  measuredAt: new Date().toISOString(),
};

console.log(JSON.stringify(result));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "sim-generate.json"), `${JSON.stringify(result, null, 2)}\n`);
