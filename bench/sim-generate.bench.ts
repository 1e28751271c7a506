// How long the simulator takes to generate the 150,000-pod scenario and how much heap the objects
// keep, next to a floor measured in the same run: JSON.parse of the very same objects, serialised.
// Run: node --expose-gc --import tsx bench/sim-generate.bench.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeObject } from "../src/sim/object-api.js";
import { generateScenario } from "../src/sim/scenarios/index.js";

const scenario = "scale";
const seed = 1;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc so retained heap can be measured");
  // Twice: the first pass can leave objects that finalizers release for the second.
  gc();
  gc();
}

function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// Generate.
const heapBeforeGenerate = heapUsed();
let started = performance.now();
let objects: KubeObject[] | undefined = generateScenario(scenario, seed);
const generateMs = performance.now() - started;
const generatedHeap = heapUsed() - heapBeforeGenerate;
const objectCount = objects.length;
const pods = objects.filter((o) => o.kind === "Pod").length;
const services = objects.filter((o) => o.kind === "Service").length;
const nodes = objects.filter((o) => o.kind === "Node").length;

// Serialise into Buffers, which live outside the V8 heap, so the baseline's heap figure holds only
// what JSON.parse builds.
const serialised: Buffer[] = objects.map((o) => Buffer.from(JSON.stringify(o)));
const jsonBytes = serialised.reduce((sum, b) => sum + b.length, 0);
objects = undefined;

const heapBeforeParse = heapUsed();
started = performance.now();
let parsed: unknown[] | undefined = serialised.map((b) => JSON.parse(b.toString("utf8")));
const parseMs = performance.now() - started;
const parsedHeap = heapUsed() - heapBeforeParse;
const parsedCount = parsed.length;
parsed = undefined;

const result = {
  benchmark: "sim-generate",
  scenario,
  seed,
  node: process.version,
  objects: objectCount,
  pods,
  services,
  nodes,
  generateMs: Math.round(generateMs),
  generatedHeapMB: mb(generatedHeap),
  generatedBytesPerObject: Math.round(generatedHeap / objectCount),
  baseline: {
    what: "JSON.parse of the same objects, serialised one by one",
    jsonMB: mb(jsonBytes),
    parseMs: Math.round(parseMs),
    parsedHeapMB: mb(parsedHeap),
    parsedBytesPerObject: Math.round(parsedHeap / parsedCount),
  },
  timeRatio: Math.round((generateMs / parseMs) * 100) / 100,
  heapRatio: Math.round((generatedHeap / parsedHeap) * 100) / 100,
  measuredAt: new Date().toISOString(),
};

console.log(JSON.stringify(result));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "sim-generate.json"), `${JSON.stringify(result, null, 2)}\n`);
