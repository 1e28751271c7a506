// What the explorer's questions cost at 1,000, 10,000 and 150,000 pods (with a Deployment, a
// ReplicaSet and a Service per 50 pods, across 100 namespaces): p50 and p99 of
// - counts by kind with no filter, and of one namespace's counts by kind (both read from the count
//   cells, so flat across the sizes), and counts by namespace under a label selector (a scan);
// - one object by identity (the name index);
// - a page of 100 sorted by creation time, newest first, and the page of 100 before its last cursor.
// Run: npm run bench explorer
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ResourceGraph } from "../src/graph/index.js";
import type { KubeObject, ResourceType } from "../src/kube/index.js";

const sizes = [1_000, 10_000, 150_000];
const samples = 200;
const namespaces = 100;
const cluster = { id: "bench", name: "bench" };

function type(group: string, resource: string, kind: string): ResourceType {
  return { group, version: "v1", resource, kind, namespaced: true, verbs: ["list", "watch"] };
}

const pods = type("", "pods", "Pod");
const others = [
  type("apps", "deployments", "Deployment"),
  type("apps", "replicasets", "ReplicaSet"),
  type("", "services", "Service"),
];

function object(t: ResourceType, i: number): KubeObject {
  const namespace = `ns-${i % namespaces}`;
  return {
    apiVersion: t.group === "" ? "v1" : `${t.group}/v1`,
    kind: t.kind,
    metadata: {
      name: `${t.resource}-${i}`,
      namespace,
      uid: `${t.resource}-uid-${i}`,
      resourceVersion: "1",
      creationTimestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace(".000Z", "Z"),
      labels: { app: `app-${i % 50}`, tier: i % 3 === 0 ? "web" : "db" },
    },
    spec: { nodeName: `node-${i % 20}` },
    status: { phase: "Running" },
  };
}

function build(podCount: number): ResourceGraph {
  const graph = new ResourceGraph({ retainedChanges: 1000 });
  graph.addCluster(cluster);
  for (let i = 0; i < podCount; i++) graph.upsert(cluster, pods, object(pods, i));
  for (const t of others) for (let i = 0; i < podCount / 50; i++) graph.upsert(cluster, t, object(t, i));
  return graph;
}

async function percentiles(run: () => unknown): Promise<{ p50Ms: number; p99Ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000) / 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

const result: Record<string, Record<string, { p50Ms: number; p99Ms: number }>> = {};
for (const size of sizes) {
  const graph = build(size);
  const newest = { field: "CREATED" as const, direction: "DESC" as const };
  const firstPage = graph.list({ kinds: ["pods"] }, { first: 100, orderBy: newest });
  result[`${size} pods`] = {
    "resourceCounts(by: KIND)": await percentiles(() => graph.countInSlices({}, "KIND")),
    "resourceCounts(namespaces: [one], by: KIND)": await percentiles(() =>
      graph.countInSlices({ namespaces: ["ns-7"] }, "KIND"),
    ),
    "resourceCounts(labelSelector: tier=web, by: NAMESPACE)": await percentiles(() =>
      graph.countInSlices({ labelSelector: "tier=web" }, "NAMESPACE"),
    ),
    "resource(identity)": await percentiles(() =>
      graph.find({ clusterId: "bench", apiVersion: "v1", kind: "pod", namespace: "ns-3", name: "pods-203" }),
    ),
    "resources(orderBy: CREATED DESC, first: 100)": await percentiles(() =>
      graph.listInSlices({ kinds: ["pods"] }, { first: 100, orderBy: newest }),
    ),
    "resources(orderBy: CREATED DESC, last: 100, before)": await percentiles(() =>
      graph.listInSlices({ kinds: ["pods"] }, { last: 100, before: firstPage.endCursor, orderBy: newest }),
    ),
  };
  console.log(size, JSON.stringify(result[`${size} pods`], null, 2));
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "explorer.json"), `${JSON.stringify(result, null, 2)}\n`);
