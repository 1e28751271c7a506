// How long an edge takes from a write to the cluster to a subscriber: real `meshsync sim` (the demo
// scenario, no churn) and `meshsync serve` processes; each object is created through the simulator's
// HTTP API as kubectl creates it, and the time runs until the `selects` edges it completes arrive as
// relationsAdded over graphql-ws. Two orders: a Pod after its Service, and a Service after its Pods.
import { join } from "node:path";
import { GraphSequenceDocument } from "../../test/generated/graphql.js";
import { appPod, appService, EdgeArrivals, objectName } from "../../test/support/edge-arrivals.js";
import { queryData } from "../../test/support/graphql-client.js";
import { type RunningProcess, startMeshsync, tempDir } from "../../test/support/processes.js";

const creations = 60;
const namespace = "edge-latency";

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function create(sim: RunningProcess, path: string, object: unknown): Promise<void> {
  const response = await fetch(`${sim.origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(object),
  });
  if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}

function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.ceil((p / 100) * sorted.length) - 1]! * 10) / 10;
  return {
    samples: sorted.length,
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: at(100),
    minMs: Math.round(sorted[0]! * 10) / 10,
  };
}

export async function measureEdgeAppearance() {
  const kubeconfig = join(tempDir("meshsync-bench-"), "sim.kubeconfig");
  const sim = await startMeshsync(["sim", "--port", "0", "--churn", "0", "--kubeconfig-out", kubeconfig]);
  let serve: RunningProcess | undefined;
  let arrivals: EdgeArrivals | undefined;
  try {
    await until(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
    serve = await startMeshsync(["serve", "--port", "0", "--kubeconfig", kubeconfig]);
    const origin = serve.origin;
    await until(async () => (await fetch(`${origin}/readyz`)).status === 200, 60_000, "serve ready");
    const graphqlUrl = `${origin}/graphql`;
    const { sequence } = (await queryData(graphqlUrl, GraphSequenceDocument)).resources;
    arrivals = EdgeArrivals.open(graphqlUrl, namespace, sequence);
    await create(sim, "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace },
    });
    const base = `/api/v1/namespaces/${namespace}`;
    const selects = (svc: string, podName: string): [string, string, string] => [
      "selects",
      objectName("Service", namespace, svc),
      objectName("Pod", namespace, podName),
    ];

    // A Pod after its Service: one Service, then its pods one at a time.
    await create(sim, `${base}/services`, appService("early", "early"));
    const podAfterService: number[] = [];
    for (let i = 0; i < creations; i++) {
      const name = `early-${i}`;
      const written = performance.now();
      await create(sim, `${base}/pods`, appPod(name, "early"));
      podAfterService.push((await arrivals.waitFor([selects("early", name)])) - written);
    }

    // A Service after its Pods: two pods of an app, then the Service that selects them.
    const serviceAfterPods: number[] = [];
    for (let i = 0; i < creations; i++) {
      const app = `late-${i}`;
      for (const n of [0, 1]) await create(sim, `${base}/pods`, appPod(`${app}-${n}`, app));
      // The pods are in the graph first, so the edges can only come with the Service.
      await arrivals.waitForObjects([0, 1].map((n) => objectName("Pod", namespace, `${app}-${n}`)));
      const written = performance.now();
      await create(sim, `${base}/services`, appService(app, app));
      serviceAfterPods.push(
        (await arrivals.waitFor([selects(app, `${app}-0`), selects(app, `${app}-1`)])) - written,
      );
    }
    return {
      what: "from the POST to the simulator to the edge's relationsAdded over graphql-ws (demo scenario, sim and serve as processes)",
      podAfterItsService: percentiles(podAfterService),
      serviceAfterItsPods: percentiles(serviceAfterPods),
    };
  } finally {
    await arrivals?.close();
    await serve?.stop();
    await sim.stop();
  }
}
