// What naming kinds as kubectl does costs a request, on a graph that watches as many types as a busy
// cluster serves (the medium scenario's kinds plus 200 CRDs):
// 1. The cost-admission step of a query (graph.scanSize) whose kinds name a type by its plural, against
//    the same step with a namespace instead, which resolves nothing: the difference is what resolving
//    kinds adds to a request (it runs at admission and again for the list).
// 2. Refusing a filter with one mistyped kind, the nearest known name suggested.
// 3. Refusing a filter with 10,000 unknown kinds (about what a 64 KiB document can carry).
// Run: npm run bench filter-names
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FilterError, type ResourceFilter } from "../src/graph/index.js";
import type { ResourceType } from "../src/kube/index.js";
import { scenarioGraph } from "./support/scenario-graph.js";

const rounds = 7;
const repeats = 2000;

const crds: ResourceType[] = Array.from({ length: 200 }, (_, i) => ({
  group: `g${i % 40}.example.com`,
  version: "v1",
  resource: `widgets${i}`,
  kind: `Widget${i}`,
  namespaced: true,
  verbs: ["list", "watch"],
  shortNames: [`w${i}`],
}));
const graph = scenarioGraph("medium");
const cluster = graph.clusters()[0]!;
for (const type of crds)
  graph.upsert(cluster, type, {
    metadata: { name: "one", namespace: "default", uid: `uid-${type.kind}`, resourceVersion: "1" },
  });

/** Microseconds per call of `run`, over `calls` calls. */
function perCall(run: () => void, calls: number): number {
  const started = performance.now();
  for (let i = 0; i < calls; i++) run();
  return ((performance.now() - started) * 1000) / calls;
}

/** perCall once a round. */
function rounded(run: () => void, calls: number): number[] {
  return Array.from({ length: rounds }, () => perCall(run, calls));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
};

function refused(filter: ResourceFilter): string {
  try {
    graph.scanSize(filter);
  } catch (error) {
    if (error instanceof FilterError) return error.message;
    throw error;
  }
  throw new Error(`not refused: ${JSON.stringify(filter).slice(0, 100)}`);
}

// Interleaved, so that the machine's load colours both alike.
const named: number[] = [];
const unnamed: number[] = [];
for (let round = 0; round < rounds; round++) {
  named.push(perCall(() => graph.scanSize({ kinds: ["pods"] }), repeats));
  unnamed.push(perCall(() => graph.scanSize({ namespaces: ["default"] }), repeats));
}
const typo = refused({ kinds: ["Widgte17"] });
const oneTypo = rounded(() => refused({ kinds: ["Widgte17"] }), 50);
const unknownKinds = Array.from({ length: 10_000 }, (_, i) => `nothing-${i}`);
const manyMessage = refused({ kinds: unknownKinds });
const many = rounded(() => refused({ kinds: unknownKinds }), 5);

const results = {
  benchmark: "filter-names",
  node: process.version,
  rounds,
  knownTypes: new Set(graph.list().items.map((r) => r.typeName)).size,
  admission: {
    what: "graph.scanSize, as cost admission runs it, per call",
    kindsByPluralMicros: median(named),
    baseline: { what: "the same with a namespace instead of kinds", micros: median(unnamed) },
  },
  oneTypo: { what: "a refused mistyped kind, with a suggestion", micros: median(oneTypo), message: typo },
  tenThousandUnknown: {
    what: "a refused list of 10,000 unknown kinds",
    micros: median(many),
    messageLength: manyMessage.length,
  },
};
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
const out = join(dirname(fileURLToPath(import.meta.url)), "results", "filter-names.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
