// What the per-operation bounds buy and cost. The amplified query (thirty aliases of a thousand whole
// objects, 1.7 KB of request) is sent to a server with the default limits and to one with cost and
// response size unbounded, runs interleaved, over the same graph in this process: time to answer,
// response bytes and the growth of RSS while answering. Beside it, what pricing one ordinary
// operation costs (parse excluded), against parsing and validating that operation.
// Run: npm run bench limits
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { collect } from "@meshsync/testing/heap";
import { parse, specifiedRules, validate } from "graphql";
import pino from "pino";
import { schema } from "../src/api/index.js";
import { ResourceGraph } from "../src/graph/index.js";
import type { KubeObject, ResourceType } from "../src/kube/types.js";
import { defaultServerLimits, type RunningServer, startServer } from "../src/server/index.js";
import { operationCost } from "../src/server/query-cost.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const objects = 8_000;
const rounds = 5;

const podType: ResourceType = {
  group: "",
  version: "v1",
  resource: "pods",
  kind: "Pod",
  namespaced: true,
  verbs: ["list", "watch"],
};

/** A pod of about 3.4 KB of JSON, the size of the pods in the measurement. */
function pod(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `pod-${i}`,
      namespace: `ns-${i % 20}`,
      uid: `uid-${i}`,
      resourceVersion: String(i + 1),
      labels: { app: `app-${i % 50}`, tier: "web" },
      annotations: { note: "n".repeat(200) },
    },
    spec: {
      nodeName: `node-${i % 10}`,
      containers: [
        { name: "main", image: "registry.example/app:1.0", env: [{ name: "X", value: "y".repeat(2600) }] },
      ],
    },
    status: { phase: "Running" },
  };
}

const amplified = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: resources(first: 1000) { edges { node { object } } }`).join(" ")} }`;
const ordinary = `query Pods { resources(filter: { kinds: ["Pod"], namespaces: ["default"] }, first: 10) {
  totalCount sequence edges { node { id kind namespace name resourceVersion } } } }`;

interface Run {
  ms: number;
  bytes: number;
  rssGrowthMB: number;
  heapGrowthMB: number;
  status: number;
}

async function attack(server: RunningServer): Promise<Run> {
  collect();
  const before = process.memoryUsage();
  let peak = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const now = process.memoryUsage();
    peak = Math.max(peak, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  };
  const sampler = setInterval(sample, 2);
  const started = performance.now();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: amplified }),
  });
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  clearInterval(sampler);
  sample();
  return {
    ms,
    bytes: body.byteLength,
    rssGrowthMB: (peak - before.rss) / 1024 / 1024,
    heapGrowthMB: (peakHeap - before.heapUsed) / 1024 / 1024,
    status: response.status,
  };
}

function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    median: round(sorted[Math.floor(sorted.length / 2)]!),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

function time(run: () => unknown, times: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    out.push((performance.now() - started) * 1000);
  }
  return out;
}

const graph = new ResourceGraph({ retainedChanges: 1000 });
const cluster = { id: "bench", name: "bench" };
graph.addCluster(cluster);
for (let i = 0; i < objects; i++) graph.upsert(cluster, podType, pod(i));
const logger = pino({ level: "silent" });
const base = { graph, host: "127.0.0.1", port: 0, logger, readiness: () => ({ ready: true }) };
const bounded = await startServer(base);
const unbounded = await startServer({
  ...base,
  limits: { maxCost: Number.MAX_SAFE_INTEGER, maxResponseBytes: Number.MAX_SAFE_INTEGER },
});

const runs: { bounded: Run[]; unbounded: Run[] } = { bounded: [], unbounded: [] };
for (let round = 0; round < rounds; round++) {
  // Bounded first, so that its first run meets an RSS no unbounded run has inflated yet.
  runs.bounded.push(await attack(bounded));
  runs.unbounded.push(await attack(unbounded));
}
await bounded.close();
await unbounded.close();

const document = parse(ordinary);
const pages = {
  defaultPageSize: defaultServerLimits.defaultPageSize,
  maxPageSize: defaultServerLimits.maxPageSize,
};
const figures = {
  benchmark: "limits",
  node: process.version,
  objects,
  rounds,
  amplifiedQuery: {
    requestBytes: JSON.stringify({ query: amplified }).length,
    unbounded: {
      status: runs.unbounded[0]!.status,
      ms: summary(runs.unbounded.map((r) => r.ms)),
      responseMB: summary(runs.unbounded.map((r) => r.bytes / 1024 / 1024)),
      rssGrowthMB: summary(runs.unbounded.map((r) => r.rssGrowthMB)),
      heapGrowthMB: summary(runs.unbounded.map((r) => r.heapGrowthMB)),
    },
    bounded: {
      status: runs.bounded[0]!.status,
      ms: summary(runs.bounded.map((r) => r.ms)),
      responseBytes: summary(runs.bounded.map((r) => r.bytes)),
      // RSS that an unbounded run took is not given back, so this shows only growth past it.
      rssGrowthMB: summary(runs.bounded.map((r) => r.rssGrowthMB)),
      heapGrowthMB: summary(runs.bounded.map((r) => r.heapGrowthMB)),
    },
  },
  ordinaryOperationMicroseconds: {
    cost: summary(
      time(() => operationCost({ schema, document }, pages, (filter) => graph.scanSize(filter)), 2000),
    ),
    parseAndValidate: summary(time(() => validate(schema, parse(ordinary), specifiedRules), 2000)),
  },
};
console.log(JSON.stringify(figures, null, 2));
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "limits.json"), `${JSON.stringify(figures, null, 2)}\n`);
