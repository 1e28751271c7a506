// Initial sync time and retained heap per object for meshsync's engine against the simulator, next to
// two baselines measured in the same run over the same server: client-node's stock ListWatch (its
// ObjectCache) and the floor of raw fetch + JSON.parse of the same list, page by page. The simulator runs in
// a child process so that its own objects stay out of these heap figures.
// Run: npm run bench sync   (scenario as an argument: node --expose-gc --conditions=@meshsync/source --import tsx bench/sync.bench.ts medium)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig, ListWatch, Watch } from "@kubernetes/client-node";
import { heapUsed, mb } from "@meshsync/testing/heap";
import { ResourceGraph } from "../src/graph/index.js";
import { Engine, type ResourceEventSink, type SelectionConfig, silentLogger } from "../src/kube/index.js";

const scenario = process.argv[2] ?? "scale";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Figures {
  what: string;
  objects: number;
  syncMs: number;
  retainedHeapMB: number;
  bytesPerObject: number;
}

/** Runs one sync; `run` returns what it keeps alive and how many objects that holds. */
async function measure(
  what: string,
  run: () => Promise<{ keep: unknown; objects: number; stop?: () => Promise<void> }>,
): Promise<Figures> {
  const before = heapUsed();
  const started = performance.now();
  const result = await run();
  const syncMs = performance.now() - started;
  const retained = heapUsed() - before;
  await result.stop?.();
  // Closed sockets finish tearing down a few ticks later; let them, or the next "before" includes this run.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const figures = {
    what,
    objects: result.objects,
    syncMs: Math.round(syncMs),
    retainedHeapMB: mb(retained),
    bytesPerObject: Math.round(retained / Math.max(1, result.objects)),
  };
  console.log(JSON.stringify(figures));
  return figures;
}

async function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--max-old-space-size=8192",
      "--conditions=@meshsync/source",
      "--import",
      "tsx",
      "src/cli.ts",
      "sim",
      "--scenario",
      scenario,
      "--port",
      "0",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /listening on (http:\/\/\S+)/.exec(line);
    if (match?.[1]) return { url: match[1], child };
  }
  throw new Error("the simulator exited before it listened");
}

function kubeconfigFor(url: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "sim", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "sim", user: {} }],
    contexts: [{ name: "sim", context: { cluster: "sim", user: "sim" } }],
    "current-context": "sim",
  });
}

// Both baselines page by 500, as the engine does: with managedFields, as a real server sends them,
// one unpaginated list of 150,000 pods is about 900 MB of JSON, past V8's longest string, and a
// plain GET (or client-node's listPodForAllNamespaces with no limit) fails with ERR_STRING_TOO_LONG.
const PAGE = 500;

async function rawFetch(url: string) {
  const items: unknown[] = [];
  let token = "";
  do {
    const query = token ? `limit=${PAGE}&continue=${encodeURIComponent(token)}` : `limit=${PAGE}`;
    const response = await fetch(`${url}/api/v1/pods?${query}`);
    const page = JSON.parse(await response.text()) as { items: unknown[]; metadata?: { continue?: string } };
    for (const item of page.items) items.push(item);
    token = page.metadata?.continue ?? "";
  } while (token);
  return { keep: items, objects: items.length };
}

async function stockListWatch(kubeconfig: string) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  let listed = -1;
  const informer = new ListWatch("/api/v1/pods", new Watch(kc), async () => {
    let list = await core.listPodForAllNamespaces({ limit: PAGE });
    const items = [...list.items];
    while (list.metadata?._continue) {
      list = await core.listPodForAllNamespaces({ limit: PAGE, _continue: list.metadata._continue });
      for (const item of list.items) items.push(item);
    }
    listed = items.length;
    return { ...list, items };
  });
  while (listed < 0 || informer.list().length < listed)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return { keep: informer, objects: informer.list().length, stop: () => informer.stop() };
}

async function meshsync(kubeconfig: string, selection: SelectionConfig | undefined, withGraph: boolean) {
  // A short change log: these figures are for the store, not for the retained change window.
  const graph = withGraph ? new ResourceGraph({ retainedChanges: 1000 }) : undefined;
  let counted = 0;
  const countingSink: ResourceEventSink = {
    upsert() {},
    delete() {},
    replace(_cluster, _type, objects) {
      counted += objects.length;
    },
    removeCluster() {},
  };
  const engine = await Engine.connect(
    { kubeconfigYaml: kubeconfig },
    {
      sink: graph ?? countingSink,
      logger: silentLogger,
      selection: selection ?? {},
      useMeshSyncResource: false,
      discoveryRefreshMs: 0,
    },
  );
  engine.start();
  await engine.ready;
  return { keep: [engine, graph], objects: graph?.size ?? counted, stop: () => engine.stop() };
}

/** One unmeasured paginated walk, so the first measured run does not pay the simulator's warm-up. */
async function warmUp(url: string): Promise<void> {
  let token = "";
  do {
    const query = token ? `limit=500&continue=${encodeURIComponent(token)}` : "limit=500";
    const page = (await (await fetch(`${url}/api/v1/pods?${query}`)).json()) as {
      metadata?: { continue?: string };
    };
    token = page.metadata?.continue ?? "";
  } while (token);
}

const { url, child } = await startSimulatorProcess();
try {
  const kubeconfig = kubeconfigFor(url);
  await warmUp(url);
  const podsOnly: SelectionConfig = {
    whitelist: [{ Resource: "pods.v1.", Events: ["ADDED", "MODIFIED", "DELETED"] }],
  };
  const floor = await measure("raw fetch + JSON.parse of GET /api/v1/pods, 500 a page", () => rawFetch(url));
  const stock = await measure("client-node ListWatch + ObjectCache, pods (listed 500 a page)", () =>
    stockListWatch(kubeconfig),
  );
  const engineOnly = await measure("meshsync engine alone (counting sink), pods", () =>
    meshsync(kubeconfig, podsOnly, false),
  );
  const pods = await measure("meshsync engine + ResourceGraph, pods", () =>
    meshsync(kubeconfig, podsOnly, true),
  );
  const everything = await measure("meshsync engine + ResourceGraph, every type", () =>
    meshsync(kubeconfig, undefined, true),
  );
  const result = {
    benchmark: "sync",
    scenario,
    node: process.version,
    floor,
    stock,
    engineOnly,
    pods,
    everything,
    podsTimeVsFloor: Math.round((pods.syncMs / floor.syncMs) * 100) / 100,
    podsTimeVsStock: Math.round((pods.syncMs / stock.syncMs) * 100) / 100,
    podsHeapVsFloor: Math.round((pods.bytesPerObject / floor.bytesPerObject) * 100) / 100,
    podsHeapVsStock: Math.round((pods.bytesPerObject / stock.bytesPerObject) * 100) / 100,
    measuredAt: new Date().toISOString(),
  };
  console.log(JSON.stringify(result));
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, scenario === "scale" ? "sync.json" : `sync-${scenario}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
} finally {
  child.kill("SIGTERM");
}
