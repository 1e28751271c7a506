// The change log's retained window under churn: the demo scenario's graph is churned for N changes
// (each rewrites a random object, as a status update or a rollout does; one in twenty that pick a Pod
// deletes it and adds its replacement), and the heap the log keeps alive is measured at the 64 MiB budget
// and at a count bound of 100,000 changes with no byte budget (the count the window was held to before,
// without the bound it also had on superseded versions: bench/results/change-window-before-after.md
// compares the old window itself). What the log keeps alive is the run's retained heap minus that of
// the same churn through a log that keeps one change. Rounds are interleaved; figures are median
// (min–max).
// Beside it, the heap of one change record, measured, against the constants the budget charges.
// Run: npm run bench change-window   (--full: 1,000,000 changes instead of 200,000)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScenario } from "@meshsync/sim";
import { heapUsed, mb } from "@meshsync/testing/heap";
import { filterViewBytes } from "../src/graph/change-log.js";
import {
  ChangeLog,
  changeRecordBytes,
  type FilterView,
  ResourceGraph,
  type ResourceGraphOptions,
  type StoredResource,
} from "../src/graph/index.js";
import { typeNamer } from "./support/scenario-graph.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const full = process.argv.includes("--full");
const changes = full ? 1_000_000 : 200_000;
const rounds = 3;
const budget = 64 * 1024 * 1024;

const configurations: Record<string, ResourceGraphOptions> = {
  baseline: { retainedChanges: 1 },
  "budget 64 MiB": { retainedChangeBytes: budget },
  "count 100,000": { retainedChanges: 100_000, retainedChangeBytes: 2 ** 40 },
};

/** A small deterministic generator, so every configuration sees the same churn. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Run {
  configuration: string;
  retainedChanges: number;
  retainedBytes: number;
  heapBytes: number;
  msPerChange: number;
}

function churn(configuration: string): Run {
  const before = heapUsed();
  const graph = new ResourceGraph(configurations[configuration]);
  const cluster = { id: "bench", name: "bench" };
  graph.addCluster(cluster);
  const typeOf = typeNamer();
  const live = generateScenario("demo", 1).map((object) => ({
    object,
    type: typeOf(object),
    name: object.metadata?.name ?? "",
  }));
  for (const { object, type } of live) graph.upsert(cluster, type, object);
  const next = random(7);
  let resourceVersion = 1_000_000;
  const started = performance.now();
  for (let n = 0; n < changes; n++) {
    const i = Math.floor(next() * live.length);
    const { object, type, name } = live[i]!;
    const metadata = object.metadata ?? {};
    resourceVersion += 1;
    if (object.kind === "Pod" && next() < 0.05) {
      graph.delete(cluster, type, object);
      const replacement = {
        ...object,
        metadata: {
          ...metadata,
          uid: `bench-${n}`,
          name: `${name}-${n}`,
          resourceVersion: String(resourceVersion),
        },
      };
      live[i] = { object: replacement, type, name };
      graph.upsert(cluster, type, replacement);
      continue;
    }
    const changed = {
      ...object,
      metadata: {
        ...metadata,
        resourceVersion: String(resourceVersion),
        annotations: { ...metadata.annotations, "bench.meshsync.io/step": String(n) },
      },
    };
    live[i] = { object: changed, type, name };
    graph.upsert(cluster, type, changed);
  }
  const msPerChange = (performance.now() - started) / changes;
  const heapBytes = heapUsed() - before;
  const run = {
    configuration,
    retainedChanges: graph.log.retainedChanges,
    retainedBytes: graph.log.retainedBytes,
    heapBytes,
    msPerChange,
  };
  console.log(JSON.stringify({ ...run, heapMB: mb(heapBytes) }));
  return run;
}

/** Heap per change record (its object, slot and carrier entry), and what a previous view adds. */
function recordHeap(): { record: number; view: number } {
  const count = 500_000;
  const resource = (i: number): StoredResource => ({ key: `c/${i}` }) as unknown as StoredResource;
  // A view shares its maps with the version it was taken from (retainedBytesOf charges their text).
  const labels = { app: "web" };
  const fields = { "status.phase": "Running" };
  const annotations = {};
  const ownerReferences: FilterView["ownerReferences"] = [];
  const view = (): FilterView => ({
    clusterId: "c",
    uid: "u",
    annotations,
    ownerReferences,
    apiVersion: "v1",
    kind: "Pod",
    namespace: "n",
    name: "x",
    labels,
    fields,
  });
  const measure = (withView: boolean) => {
    const versions = Array.from({ length: count }, (_, i) => resource(i));
    const views = withView ? Array.from({ length: count }, view) : [];
    const before = heapUsed();
    const log = new ChangeLog({ maxRetainedBytes: 2 ** 40, maxChanges: count });
    for (let i = 0; i < count; i++) log.append(withView ? "MODIFIED" : "ADDED", versions[i]!, views[i]);
    // The versions and views existed before: what grew is the records, their slots and carrier entries.
    const bytes = (heapUsed() - before) / count;
    if (log.sequence !== count || versions.length + views.length < count) throw new Error("kept alive");
    return bytes;
  };
  const record = measure(false);
  const withView = measure(true);
  const before = heapUsed();
  const views = Array.from({ length: count }, view);
  const viewOnly = (heapUsed() - before) / count;
  if (views.length !== count) throw new Error("kept alive");
  return { record: Math.round(record), view: Math.round(withView - record + viewOnly) };
}

const runs: Run[] = [];
const order = Object.keys(configurations);
for (let round = 0; round < rounds; round++) {
  // Each round starts with a different configuration, so no one of them always meets a fresh heap.
  for (let k = 0; k < order.length; k++) runs.push(churn(order[(round + k) % order.length]!));
}

function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

const baselineHeap = spread(runs.filter((r) => r.configuration === "baseline").map((r) => r.heapBytes));
const results = order
  .filter((configuration) => configuration !== "baseline")
  .map((configuration) => {
    const mine = runs.filter((r) => r.configuration === configuration);
    const logHeap = spread(mine.map((r) => r.heapBytes - baselineHeap.median));
    return {
      configuration,
      retainedChanges: spread(mine.map((r) => r.retainedChanges)),
      chargedMB: spread(mine.map((r) => mb(r.retainedBytes))),
      logHeapMB: { median: mb(logHeap.median), min: mb(logHeap.min), max: mb(logHeap.max) },
      msPerChange: spread(mine.map((r) => Math.round(r.msPerChange * 1000) / 1000)),
    };
  });
const measured = recordHeap();
const figures = {
  benchmark: "change-window",
  node: process.version,
  scenario: "demo",
  changes,
  rounds,
  baselineHeapMB: mb(baselineHeap.median),
  results,
  changeRecord: {
    measuredBytes: measured.record,
    chargedBytes: changeRecordBytes,
    measuredViewBytes: measured.view,
    chargedViewBytes: filterViewBytes,
  },
};
console.log(JSON.stringify(figures, null, 2));
const row = (s: { median: number; min: number; max: number }) => `${s.median} (${s.min}–${s.max})`;
const table = [
  `# Change window under churn: ${changes.toLocaleString("en")} changes of the demo scenario, ${rounds} interleaved rounds, ${process.version}`,
  "",
  "Heap the change log keeps alive = the run's retained heap minus that of the same churn through a log that keeps one change.",
  `Re-run: \`npm run bench change-window${full ? " -- --full" : ""}\`.`,
  "",
  "| window bound | retained changes | charged MB | log heap MB | ms per change |",
  "| --- | --- | --- | --- | --- |",
  ...results.map(
    (r) =>
      `| ${r.configuration} | ${row(r.retainedChanges)} | ${row(r.chargedMB)} | ${row(r.logHeapMB)} | ${row(r.msPerChange)} |`,
  ),
  "",
  `One change record: ${measured.record} bytes measured, ${changeRecordBytes} charged; a previous view: ${measured.view} measured, ${filterViewBytes} charged.`,
  "",
];
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "change-window.json"), `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(root, "bench", "results", "change-window.md"), table.join("\n"));
