// One run of one contender of bench/sync.bench.ts, in a process of its own so that no other run's
// heap, RSS or JIT state colours its figures: an initial sync of the pods (or of everything) of a
// simulator already running, then its figures as one line on stdout, "figures {…}". On failure the
// last line on stderr says why and the exit code is non-zero. It exits (3) when its stdin closes, as it
// does when the bench that started it is gone: run by hand, keep stdin open (`sleep 600 | node …`).
// Run: node --expose-gc --max-old-space-size=8192 --conditions=@meshsync/source --import tsx \
//        bench/support/sync-contender.ts '{"contender":"floor","url":"http://127.0.0.1:PORT","kubeconfigPath":"…","scratchDir":"…"}'
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { V1Pod } from "@kubernetes/client-node";
import { collect } from "@meshsync/testing/heap";
import type { ResourceGraph } from "../../src/graph/index.js";
import type { ResourceEventSink, SelectionConfig } from "../../src/kube/index.js";
import { percentile, rounded } from "./bench-stats.js";
import { readProcStatus } from "./proc-status.js";

export const contenderNames = ["floor", "stock", "kubectl", "engine", "pods", "everything"] as const;
export type ContenderName = (typeof contenderNames)[number];

export interface ContenderArgs {
  contender: ContenderName;
  /** The simulator's origin. */
  url: string;
  /** A kubeconfig file for the simulator. */
  kubeconfigPath: string;
  /** Where the run may write (kubectl's cache); the bench removes it, however this process ends. */
  scratchDir: string;
}

/** Memory once the objects are held, read after a full collection. */
export interface HeldMemory {
  /** heapUsed now minus heapUsed before the sync. */
  retainedHeapBytes: number;
  rssBytes: number;
  /** RSS now minus the RSS of this process before it began the sync. */
  rssGrowthBytes: number;
  heapBytesPerObject: number;
  rssBytesPerObject: number;
}

export interface LatencyFigures {
  /** What the query matched (a page's totalCount, or the count's sum). */
  matches: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface QueryFigures {
  namespace: string;
  labelSelector: string;
  samples: number;
  byNamespace: LatencyFigures;
  byLabel: LatencyFigures;
  firstPage: LatencyFigures;
  /** The namespace's page again, each object's whole text read: what packed text costs to send. */
  wholeObjects: LatencyFigures;
  countPods: LatencyFigures;
}

export interface ContenderFigures {
  contender: ContenderName;
  objects: number;
  syncMs: number;
  /** VmHWM: the most RSS the process (for kubectl, its process tree) ever held. */
  peakRssBytes: number;
  /** The whole peak RSS over the objects, nothing subtracted: what each contender takes in all. */
  peakRssBytesPerObject: number;
  /** Node contenders only: memory right after the sync. */
  synced?: HeldMemory;
  /** Graph contenders only: once the graph's background packing of stored text is done. */
  settled?: HeldMemory & { settleMs: number; peakRssBytes: number; packed: number; pending: number };
  /** The pods graph only: list and count latency once settled. */
  queries?: QueryFigures;
  /** kubectl only: bytes of JSON it wrote. */
  outputBytes?: number;
}

const PAGE = 500;
const podsOnly: SelectionConfig = {
  whitelist: [{ Resource: "pods.v1.", Events: ["ADDED", "MODIFIED", "DELETED"] }],
};
const querySamples = 200;

/** kubectl while it runs: killed with this process however it ends. */
let kubectl: ChildProcess | undefined;

/** This process's peak RSS: VmHWM, or getrusage's max RSS where there is no /proc. */
function ownPeakRss(): number {
  return readProcStatus("self")?.hwm ?? process.resourceUsage().maxRSS * 1024;
}

function memoryNow(): { heap: number; rss: number } {
  collect();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

function heldSince(before: { heap: number; rss: number }, objects: number): HeldMemory {
  const now = memoryNow();
  const perObject = (bytes: number) => Math.round(bytes / Math.max(1, objects));
  return {
    retainedHeapBytes: now.heap - before.heap,
    rssBytes: now.rss,
    rssGrowthBytes: now.rss - before.rss,
    heapBytesPerObject: perObject(now.heap - before.heap),
    rssBytesPerObject: perObject(now.rss - before.rss),
  };
}

interface Held {
  /** Kept referenced until the figures are read, so that what the sync built stays alive. */
  keep: unknown;
  objects: number;
  stop: () => Promise<void>;
  graph?: ResourceGraph;
}

async function rawFetch(url: string): Promise<Held> {
  const items: unknown[] = [];
  let token = "";
  do {
    const query = token ? `limit=${PAGE}&continue=${encodeURIComponent(token)}` : `limit=${PAGE}`;
    const response = await fetch(`${url}/api/v1/pods?${query}`);
    if (!response.ok) throw new Error(`GET /api/v1/pods: ${response.status} ${await response.text()}`);
    const page = JSON.parse(await response.text()) as { items: unknown[]; metadata?: { continue?: string } };
    for (const item of page.items) items.push(item);
    token = page.metadata?.continue ?? "";
  } while (token);
  return { keep: items, objects: items.length, stop: async () => {} };
}

type ClientNode = typeof import("@kubernetes/client-node");
type GraphModule = typeof import("../../src/graph/index.js");
type KubeModule = typeof import("../../src/kube/index.js");

async function stockListWatch(clientNode: ClientNode, kubeconfig: string): Promise<Held> {
  const { CoreV1Api, KubeConfig, ListWatch, Watch } = clientNode;
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  let listed = -1;
  let failure: unknown;
  // Both paginate by 500, as the engine does: one unpaginated list of 150,000 pods with managedFields
  // is past V8's longest string, and client-node's listPodForAllNamespaces with no limit fails with
  // ERR_STRING_TOO_LONG.
  const informer = new ListWatch<V1Pod>("/api/v1/pods", new Watch(kc), async () => {
    let list = await core.listPodForAllNamespaces({ limit: PAGE });
    const items = [...list.items];
    while (list.metadata?._continue) {
      list = await core.listPodForAllNamespaces({ limit: PAGE, _continue: list.metadata._continue });
      for (const item of list.items) items.push(item);
    }
    listed = items.length;
    return { ...list, items };
  });
  informer.on("error", (error) => {
    failure ??= error ?? new Error("the informer stopped");
  });
  while (listed < 0 || informer.list().length < listed) {
    if (failure !== undefined) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { keep: informer, objects: informer.list().length, stop: () => informer.stop() };
}

async function meshsync(
  { ResourceGraph }: GraphModule,
  { Engine, silentLogger }: KubeModule,
  kubeconfig: string,
  selection: SelectionConfig,
  withGraph: boolean,
): Promise<Held> {
  // A short change log: these figures are for the store, not for the retained change window.
  const graph = withGraph ? new ResourceGraph({ retainedChanges: 1000 }) : undefined;
  let listed = 0;
  const countingSink: ResourceEventSink = {
    upsert() {},
    delete() {},
    // A list ends with the uids it held: with churn 0 that is every object of the type.
    retain(_cluster, _type, uids) {
      listed += uids.size;
    },
    removeCluster() {},
  };
  const engine = await Engine.connect(
    { kubeconfigYaml: kubeconfig },
    {
      sink: graph ?? countingSink,
      logger: silentLogger,
      selection,
      useMeshSyncResource: false,
      discoveryRefreshMs: 0,
    },
  );
  engine.start();
  await engine.ready;
  return {
    keep: [engine, graph],
    objects: graph?.size ?? listed,
    stop: () => engine.stop(),
    ...(graph === undefined ? {} : { graph }),
  };
}

/** The key=value most pods carry that is nearest to `wanted` pods (by ratio), and how many carry it. */
function labelNear(graph: ResourceGraph, wanted: number): { selector: string; count: number } {
  const counts = new Map<string, number>();
  for (const pod of graph.all())
    for (const [key, value] of Object.entries(pod.labels)) {
      const pair = `${key}=${value}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  let best: { selector: string; count: number } | undefined;
  const distance = (count: number) => Math.abs(Math.log(count / wanted));
  for (const [selector, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (best === undefined || distance(count) < distance(best.count)) best = { selector, count };
  if (best === undefined) throw new Error("no pod carries a label to select by");
  return best;
}

function busiestNamespace(graph: ResourceGraph): string {
  const counts = new Map<string, number>();
  for (const pod of graph.all()) counts.set(pod.namespace ?? "", (counts.get(pod.namespace ?? "") ?? 0) + 1);
  const [name] = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0] ?? [];
  if (name === undefined) throw new Error("the graph holds no pods");
  return name;
}

/** Each query `querySamples` times, the five taking turns so that none has the machine warmer than the rest. */
async function queryLatency(graph: ResourceGraph): Promise<QueryFigures> {
  const namespace = busiestNamespace(graph);
  const label = labelNear(graph, 300);
  const queries = {
    byNamespace: async () => graph.list({ namespaces: [namespace] }, { first: 100 }).totalCount,
    byLabel: async () => graph.list({ labelSelector: label.selector }, { first: 100 }).totalCount,
    firstPage: async () => graph.list({}, { first: 100 }).totalCount,
    wholeObjects: async () => {
      const page = graph.list({ namespaces: [namespace] }, { first: 100 });
      let characters = 0;
      for (const item of page.items) characters += item.objectText.length;
      return characters > 0 ? page.totalCount : 0;
    },
    countPods: async () =>
      (await graph.countInSlices({ kinds: ["Pod"] }, "NAMESPACE")).reduce((sum, c) => sum + c.count, 0),
  };
  type QueryName = keyof typeof queries;
  const names = Object.keys(queries) as QueryName[];
  const samples = new Map<QueryName, number[]>(names.map((name) => [name, []]));
  const matches = new Map<QueryName, number>();
  for (let i = 0; i < querySamples; i++)
    for (const name of names) {
      const started = performance.now();
      const matched = await queries[name]();
      samples.get(name)!.push(performance.now() - started);
      matches.set(name, matched);
    }
  const figures = (name: QueryName): LatencyFigures => {
    const times = samples.get(name)!;
    return {
      matches: matches.get(name) ?? 0,
      p50Ms: rounded(percentile(times, 0.5), 3),
      p99Ms: rounded(percentile(times, 0.99), 3),
      maxMs: rounded(Math.max(...times), 3),
    };
  };
  return {
    namespace,
    labelSelector: label.selector,
    samples: querySamples,
    byNamespace: figures("byNamespace"),
    byLabel: figures("byLabel"),
    firstPage: figures("firstPage"),
    wholeObjects: figures("wholeObjects"),
    countPods: figures("countPods"),
  };
}

/**
 * The contender's sync, its modules loaded: each process loads only what its contender uses, so that
 * none carries another's code in its RSS, and none pays for loading code inside its measured sync.
 */
async function loaded(args: ContenderArgs, kubeconfig: string): Promise<() => Promise<Held>> {
  if (args.contender === "floor") return () => rawFetch(args.url);
  if (args.contender === "stock") {
    const clientNode = await import("@kubernetes/client-node");
    return () => stockListWatch(clientNode, kubeconfig);
  }
  const graphModule = await import("../../src/graph/index.js");
  const kubeModule = await import("../../src/kube/index.js");
  const selection = args.contender === "everything" ? {} : podsOnly;
  return () => meshsync(graphModule, kubeModule, kubeconfig, selection, args.contender !== "engine");
}

/** Memory at rest before the sync: V8 hands freed pages back to the system a while after a collection. */
async function baseline(): Promise<{ heap: number; rss: number }> {
  memoryNow();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return memoryNow();
}

async function nodeContender(args: ContenderArgs): Promise<ContenderFigures> {
  const sync = await loaded(args, readFileSync(args.kubeconfigPath, "utf8"));
  const before = await baseline();
  const started = performance.now();
  const held = await sync();
  const syncMs = performance.now() - started;
  try {
    const synced = heldSince(before, held.objects);
    const figures: ContenderFigures = {
      contender: args.contender,
      objects: held.objects,
      syncMs: Math.round(syncMs),
      peakRssBytes: ownPeakRss(),
      peakRssBytesPerObject: 0,
      synced,
    };
    const graph = held.graph;
    if (graph !== undefined) {
      const settling = performance.now();
      await graph.settledBodies();
      const settleMs = Math.round(performance.now() - settling);
      figures.settled = {
        ...heldSince(before, held.objects),
        settleMs,
        peakRssBytes: ownPeakRss(),
        ...graph.packing,
      };
      if (args.contender === "pods") figures.queries = await queryLatency(graph);
    }
    figures.peakRssBytesPerObject = Math.round(figures.peakRssBytes / Math.max(1, held.objects));
    return figures;
  } finally {
    await held.stop();
  }
}

/** `\n` and eight spaces before `{`: how kubectl's indented JSON opens each element of the List's items. */
const itemOpening = Buffer.from("\n        {\n");

/** Counts itemOpening in a stream of chunks, matches across chunk boundaries included. */
class ItemCounter {
  count = 0;
  private tail = Buffer.alloc(0);

  add(chunk: Buffer): void {
    const overlap = itemOpening.length - 1;
    if (this.tail.length > 0) {
      const seam = Buffer.concat([this.tail, chunk.subarray(0, overlap)]);
      if (seam.indexOf(itemOpening) !== -1) this.count++;
    }
    for (let at = chunk.indexOf(itemOpening); at !== -1; at = chunk.indexOf(itemOpening, at + 1))
      this.count++;
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - overlap)));
  }
}

/** The process and its descendants, through /proc/<pid>/task/<tid>/children. */
function processTree(pid: number): number[] {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${found[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${found[i]}/task/${task}/children`, "utf8").trim();
        if (children) found.push(...children.split(/\s+/).map(Number));
      } catch {
        // The task ended between the listing and the read.
      }
    }
  }
  return found;
}

async function kubectlContender(args: ContenderArgs): Promise<ContenderFigures> {
  if (readProcStatus("self") === undefined)
    throw new Error("kubectl's RSS is polled from /proc, which is absent");
  // A fresh cache, so that every run pays discovery as a first `kubectl get` on a machine does.
  const cacheDir = mkdtempSync(join(args.scratchDir, "kubectl-cache-"));
  const started = performance.now();
  const child = spawn(
    "kubectl",
    [
      "--kubeconfig",
      args.kubeconfigPath,
      "--cache-dir",
      cacheDir,
      "get",
      "pods",
      "-A",
      "-o",
      "json",
      "--chunk-size=500",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  kubectl = child;
  const pid = child.pid;
  let peak = 0;
  const poll = () => {
    if (pid === undefined) return;
    let treeRss = 0;
    for (const member of processTree(pid)) {
      const status = readProcStatus(member);
      if (status === undefined) continue;
      treeRss += status.rss;
      peak = Math.max(peak, status.hwm);
    }
    peak = Math.max(peak, treeRss);
  };
  const poller = setInterval(poll, 50);
  poll();
  let outputBytes = 0;
  const counter = new ItemCounter();
  child.stdout.on("data", (chunk: Buffer) => {
    outputBytes += chunk.length;
    counter.add(chunk);
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => resolve({ code, signal }));
      },
    );
    const syncMs = performance.now() - started;
    if (code !== 0) {
      const said = stderr.trim().split("\n").at(-1) ?? "";
      throw new Error(`kubectl exited (${code ?? signal})${said ? `: ${said}` : ""}`);
    }
    if (counter.count === 0) throw new Error(`no items found in kubectl's ${outputBytes} bytes of output`);
    return {
      contender: "kubectl",
      objects: counter.count,
      syncMs: Math.round(syncMs),
      peakRssBytes: peak,
      peakRssBytesPerObject: Math.round(peak / counter.count),
      outputBytes,
    };
  } finally {
    clearInterval(poller);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function parseArgs(text: string | undefined): ContenderArgs {
  if (text === undefined)
    throw new Error("usage: sync-contender.ts '<json: contender, url, kubeconfigPath, scratchDir>'");
  const parsed = JSON.parse(text) as Partial<ContenderArgs>;
  if (!contenderNames.includes(parsed.contender as ContenderName))
    throw new Error(`contender: one of ${contenderNames.join(", ")}, not ${String(parsed.contender)}`);
  if (
    typeof parsed.url !== "string" ||
    typeof parsed.kubeconfigPath !== "string" ||
    typeof parsed.scratchDir !== "string"
  )
    throw new Error("url, kubeconfigPath and scratchDir must be strings");
  return parsed as ContenderArgs;
}

async function main(): Promise<void> {
  process.on("exit", () => kubectl?.kill("SIGKILL"));
  // The bench holds this process's stdin open: once the bench is gone, nothing would read these figures.
  process.stdin.on("end", () => process.exit(3));
  process.stdin.resume();
  try {
    const args = parseArgs(process.argv[2]);
    const figures = args.contender === "kubectl" ? await kubectlContender(args) : await nodeContender(args);
    process.stdout.write(`figures ${JSON.stringify(figures)}\n`);
    process.exit(0);
  } catch (error) {
    // A failed fetch says why only in its cause (the refused or reset socket).
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    const message = `${error instanceof Error ? error.message : String(error)}${cause}`;
    process.stderr.write(`${message.replace(/\s+/g, " ").trim()}\n`);
    process.exit(1);
  }
}

// The bench imports the names and types above; only a process started on this file runs a contender.
const script = process.argv[1];
if (script !== undefined && import.meta.url === pathToFileURL(realpathSync(script)).href) await main();
