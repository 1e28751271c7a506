// What a bounded selector costs a query: one label selector at the requirement bound, in 30 aliases of
// one document, over the medium scenario's objects. Measured against, in the same run and interleaved,
// a baseline whose 30 selectors differ only in trailing blanks, so each is compiled anew, as the graph
// did for every alias before it cached compiled selectors by their text.
// Run: npm run bench selectors
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultSelectorLimits } from "@meshsync/k8s";
import { generateScenario } from "@meshsync/sim";
import { ResourceGraph } from "../src/graph/index.js";
import type { ResourceType } from "../src/kube/index.js";

const aliases = 30;
const rounds = 7;

const graph = new ResourceGraph();
const cluster = { id: "bench", name: "bench" };
const types = new Map<string, ResourceType>();
for (const object of generateScenario("medium", 1)) {
  const [group, version] = object.apiVersion?.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const kind = object.kind ?? "";
  const key = `${group}/${kind}`;
  if (!types.has(key)) {
    types.set(key, {
      group: group ?? "",
      version: version ?? "v1",
      resource: `${kind.toLowerCase()}s`,
      kind,
      namespaced: true,
      verbs: ["list", "watch"],
    });
  }
  graph.upsert(cluster, types.get(key)!, object);
}
const objects = graph.list({}).totalCount;

// At the bound: 100 requirements, sorted by key, that every object passes but the last, so each is evaluated.
const requirements = Array.from(
  { length: defaultSelectorLimits.maxRequirements - 1 },
  (_, i) => `!absent-${i}`,
);
const selector = [...requirements, "absent-final"].join(",");

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const cached: number[] = [];
const recompiled: number[] = [];
let matched = 0;
for (let round = 0; round < rounds; round++) {
  cached.push(
    timed(() => {
      for (let alias = 0; alias < aliases; alias++)
        matched = graph.list({ labelSelector: selector }).totalCount;
    }),
  );
  recompiled.push(
    timed(() => {
      for (let alias = 0; alias < aliases; alias++) {
        matched = graph.list({
          labelSelector: `${selector}${" ".repeat(round * aliases + alias + 1)}`,
        }).totalCount;
      }
    }),
  );
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10,
    minMs: Math.round(sorted[0]! * 10) / 10,
    maxMs: Math.round(sorted.at(-1)! * 10) / 10,
  };
};

const result = {
  benchmark: "selectors",
  what: `one ${defaultSelectorLimits.maxRequirements}-requirement label selector in ${aliases} aliases, over every object`,
  node: process.version,
  objects,
  matched,
  rounds,
  cached: stats(cached),
  baseline: { what: "the same, each alias a selector text of its own, compiled anew", ...stats(recompiled) },
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "selectors.json"), `${JSON.stringify(result, null, 2)}\n`);
