// Initial sync time and memory of meshsync against baselines measured in the same run over the same
// simulator, up a ladder of cluster sizes. Contenders:
//   floor       raw fetch + JSON.parse of GET /api/v1/pods, 500 a page, the items kept
//   stock       client-node's ListWatch + ObjectCache over pods, listed 500 a page
//   kubectl     `kubectl get pods -A -o json --chunk-size=500`, fresh --cache-dir, output drained and
//               counted; its wall time and peak RSS (its /proc status polled every 50 ms)
//   engine      meshsync's Engine alone with a counting sink, pods only
//   pods        Engine + ResourceGraph, pods only; and list/count latency on the graph once settled
//   everything  Engine + ResourceGraph, every type
// Every run is a fresh process (bench/support/sync-contender.ts) against one simulator process per
// scenario, warmed up by one unmeasured paginated walk, so the simulator's objects and earlier runs
// stay out of the figures. Each round runs every contender once, the order rotated a place each round;
// figures are median (min–max) over the rounds, ratios are of medians. A run that fails or passes
// 20 minutes is recorded with its error and the rest go on; the exit code then says so.
// Run: npm run bench sync            quick: modest (1,000 pods) and large (10,000), 3 rounds
//      npm run bench sync -- --full  adds scale (150,000 pods, 5,000 nodes, 10,000 services)
//      flags take their value after "=": --scenarios=modest,large --rounds=3
//      --contenders=floor,pods (a subset, for trying a change out)
// Results: bench/results/sync.json and sync.md with --full, sync-quick.json and sync-quick.md without.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { scenarioNames } from "@meshsync/sim";
import {
  formatSpread,
  type MachineRecord,
  machineLine,
  machineRecord,
  ratio,
  rounded,
  type Spread,
  spread,
} from "./support/bench-stats.js";
import {
  type ContenderArgs,
  type ContenderFigures,
  type ContenderName,
  contenderNames,
  type LatencyFigures,
  type QueryFigures,
} from "./support/sync-contender.js";
import { warmSimulator } from "./support/warm-simulator.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runBoundMs = 20 * 60_000;
const simulatorStartBoundMs = 10 * 60_000;
interface Settings {
  full: boolean;
  scenarios: string[];
  rounds: number;
  contenders: ContenderName[];
}

function settings(): Settings {
  const argv = process.argv.slice(2);
  const full = argv.includes("--full");
  const chosen: Settings = {
    full,
    scenarios: full ? ["modest", "large", "scale"] : ["modest", "large"],
    rounds: 3,
    contenders: [...contenderNames],
  };
  const list = (value: string) => value.split(",").filter((item) => item !== "");
  for (const arg of argv) {
    if (arg === "--full") continue;
    const match = /^--(scenarios|rounds|contenders)=(.+)$/.exec(arg);
    if (match === null)
      throw new Error(
        `unknown flag ${arg}: flags are --full, --scenarios=a,b, --rounds=N, --contenders=${contenderNames.join(",")}`,
      );
    const value = match[2]!;
    if (match[1] === "rounds") {
      const rounds = Number(value);
      if (!Number.isInteger(rounds) || rounds < 1)
        throw new Error(`--rounds: a whole number from 1, not ${value}`);
      chosen.rounds = rounds;
    } else if (match[1] === "scenarios") {
      const unknown = list(value).filter((name) => !scenarioNames.includes(name));
      if (unknown.length > 0)
        throw new Error(
          `--scenarios: ${unknown.join(", ")} unknown; scenarios are ${scenarioNames.join(", ")}`,
        );
      chosen.scenarios = list(value);
    } else {
      const unknown = list(value).filter((name) => !contenderNames.includes(name as ContenderName));
      if (unknown.length > 0)
        throw new Error(
          `--contenders: ${unknown.join(", ")} unknown; contenders are ${contenderNames.join(", ")}`,
        );
      chosen.contenders = contenderNames.filter((name) => list(value).includes(name));
    }
  }
  return chosen;
}

const what: Record<ContenderName, string> = {
  floor: "floor: fetch + JSON.parse, 500 a page",
  stock: "client-node ListWatch + ObjectCache",
  kubectl: "kubectl get pods -A -o json --chunk-size=500",
  engine: "meshsync engine alone (counting sink), pods",
  pods: "meshsync engine + ResourceGraph, pods",
  everything: "meshsync engine + ResourceGraph, every type",
};

/** Every process this bench started that may still run: killed however the bench ends. */
const live = new Set<ChildProcess>();
/** Contenders, each the leader of a process group of its own, so that kubectl under one goes with it. */
const groupLeaders = new WeakSet<ChildProcess>();

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The group outlives its leader while kubectl runs, so it is signalled even once the leader is gone.
    if (groupLeaders.has(child)) process.kill(-child.pid, signal);
    else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  } catch {
    // Gone already.
  }
}

/** Temporary directories to remove however the bench ends. */
const scratch = new Set<string>();

process.on("exit", () => {
  for (const child of live) kill(child, "SIGKILL");
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    for (const child of live) kill(child, "SIGKILL");
    process.exit(signal === "SIGINT" ? 130 : 143);
  });

/** The last `limit` characters a stream wrote, for error messages. */
function tailOf(stream: NodeJS.ReadableStream | null, limit = 8000): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  });
  return () => text;
}

interface Simulator {
  url: string;
  child: ChildProcess;
  output: () => string;
}

function exitOf(child: ChildProcess): string | undefined {
  const { exitCode, signalCode } = child;
  return exitCode === null && signalCode === null ? undefined : String(exitCode ?? signalCode);
}

async function startSimulator(scenario: string): Promise<Simulator> {
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
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  live.add(child);
  child.once("exit", () => live.delete(child));
  const stderr = tailOf(child.stderr);
  const lines = createInterface({ input: child.stdout! });
  let said = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `the ${scenario} simulator did not say where it listens within ${simulatorStartBoundMs / 1000} s`,
        ),
      );
    }, simulatorStartBoundMs);
    lines.on("line", (line) => {
      said = `${said}${line}\n`.slice(-4000);
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the ${scenario} simulator exited (${code ?? signal}) before it listened: ${stderr().trim()}`,
        ),
      );
    });
  }).catch((error: unknown) => {
    kill(child, "SIGKILL");
    throw error;
  });
  return { url, child, output: () => `${said}${stderr()}` };
}

/** SIGTERM, then SIGKILL if the simulator is still there 10 s later; resolves once it has exited. */
function stopSimulator(sim: Simulator): Promise<void> {
  if (exitOf(sim.child) !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => kill(sim.child, "SIGKILL"), 10_000);
    sim.child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    kill(sim.child, "SIGTERM");
  });
}

/** One unmeasured paginated walk, so the first measured run does not pay the simulator's warm-up. */
function kubeconfigFor(url: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses plain HTTP unless TLS verification is off, though there is no TLS to verify.
    clusters: [{ name: "sim", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "sim", user: {} }],
    contexts: [{ name: "sim", context: { cluster: "sim", user: "sim" } }],
    "current-context": "sim",
  });
}

/** Why kubectl cannot run here, or undefined when it is on PATH. */
function kubectlMissing(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, "kubectl"), constants.X_OK);
      return undefined;
    } catch {
      // Not in this directory.
    }
  }
  return "kubectl is not on PATH";
}

/** One run of one contender in a fresh process; rejects with a one-line reason. */
function runContender(args: ContenderArgs): Promise<ContenderFigures> {
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--max-old-space-size=8192",
      "--conditions=@meshsync/source",
      "--import",
      "tsx",
      "bench/support/sync-contender.ts",
      JSON.stringify(args),
    ],
    // stdin stays open: the contender exits when it closes, should this bench be killed outright.
    { cwd: root, stdio: ["pipe", "pipe", "pipe"], detached: true },
  );
  live.add(child);
  groupLeaders.add(child);
  const stdout = tailOf(child.stdout, 1_000_000);
  const stderr = tailOf(child.stderr);
  return new Promise<ContenderFigures>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      kill(child, "SIGKILL");
    }, runBoundMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(new Error(`could not start the contender: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      kill(child, "SIGKILL");
      if (timedOut) return reject(new Error(`passed the bound of ${runBoundMs / 60_000} min a run`));
      const line = stdout()
        .split("\n")
        .findLast((l) => l.startsWith("figures "));
      if (code === 0 && line !== undefined) return resolve(JSON.parse(line.slice("figures ".length)));
      const said = stderr().trim().split("\n").at(-1)?.slice(0, 400);
      reject(new Error(`exited (${code ?? signal})${said ? `: ${said}` : ""}`));
    });
  });
}

interface Failure {
  scenario: string;
  contender: ContenderName;
  round: number;
  error: string;
}

interface Scenario {
  name: string;
  runs: ContenderFigures[];
  failures: Failure[];
  skipped: { contender: ContenderName; reason: string }[];
}

async function runScenario(
  name: string,
  chosen: Settings,
  kubectlSkip: string | undefined,
): Promise<Scenario> {
  const result: Scenario = {
    name,
    runs: [],
    failures: [],
    skipped: [],
  };
  const contenders = chosen.contenders.filter((c) => c !== "kubectl" || kubectlSkip === undefined);
  if (kubectlSkip !== undefined && chosen.contenders.includes("kubectl"))
    result.skipped.push({ contender: "kubectl", reason: kubectlSkip });
  const failAll = (round: number, order: readonly ContenderName[], error: string) => {
    for (const contender of order) result.failures.push({ scenario: name, contender, round, error });
  };
  let sim: Simulator | undefined;
  const dir = mkdtempSync(join(tmpdir(), "meshsync-bench-sync-"));
  scratch.add(dir);
  try {
    try {
      sim = await startSimulator(name);
      await warmSimulator(sim.url);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (let round = 0; round < chosen.rounds; round++) failAll(round, contenders, message);
      console.log(`${name}: ${message}`);
      return result;
    }
    const kubeconfigPath = join(dir, "sim.kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfigFor(sim.url), { mode: 0o600 });
    for (let round = 0; round < chosen.rounds; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      for (const [index, contender] of order.entries()) {
        const gone = exitOf(sim.child);
        if (gone !== undefined) {
          const message = `the simulator exited (${gone}): ${sim.output().trim().split("\n").at(-1) ?? ""}`;
          failAll(round, order.slice(index), message);
          for (let later = round + 1; later < chosen.rounds; later++) failAll(later, contenders, message);
          console.log(`${name}: ${message}`);
          return result;
        }
        try {
          const scratchDir = mkdtempSync(join(dir, `${contender}-`));
          const figures = await runContender({ contender, url: sim.url, kubeconfigPath, scratchDir }).finally(
            () => rmSync(scratchDir, { recursive: true, force: true }),
          );
          result.runs.push(figures);
          console.log(JSON.stringify({ scenario: name, round: round + 1, ...figures }));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          result.failures.push({ scenario: name, contender, round, error: message });
          console.log(`${name}, round ${round + 1}, ${contender}: failed: ${message}`);
        }
      }
    }
    return result;
  } finally {
    if (sim !== undefined) await stopSimulator(sim);
    rmSync(dir, { recursive: true, force: true });
    scratch.delete(dir);
  }
}

// ---- summaries

type Pick = (run: ContenderFigures) => number | undefined;

interface Summary {
  contender: ContenderName;
  what: string;
  runs: number;
  failed: number;
  objects?: Spread;
  syncMs?: Spread;
  heapBytesPerObject?: Spread;
  rssBytesPerObject?: Spread;
  peakRssMB?: Spread;
  peakRssBytesPerObject?: Spread;
  retainedHeapMB?: Spread;
  rssMB?: Spread;
  outputMB?: Spread;
  settled?: {
    settleMs?: Spread;
    heapBytesPerObject?: Spread;
    rssBytesPerObject?: Spread;
    retainedHeapMB?: Spread;
    rssMB?: Spread;
    peakRssMB?: Spread;
  };
}

const toMB = (bytes: number | undefined) =>
  bytes === undefined ? undefined : rounded(bytes / 1024 / 1024, 1);

function summarise(scenario: Scenario, contender: ContenderName): Summary {
  const mine = scenario.runs.filter((r) => r.contender === contender);
  const of = (pick: Pick) => spread(mine.map(pick).filter((v): v is number => v !== undefined));
  const summary: Summary = {
    contender,
    what: what[contender],
    runs: mine.length,
    failed: scenario.failures.filter((f) => f.contender === contender).length,
    objects: of((r) => r.objects),
    syncMs: of((r) => r.syncMs),
    heapBytesPerObject: of((r) => r.synced?.heapBytesPerObject),
    rssBytesPerObject: of((r) => r.synced?.rssBytesPerObject),
    peakRssMB: of((r) => toMB(r.peakRssBytes)),
    peakRssBytesPerObject: of((r) => r.peakRssBytesPerObject),
    retainedHeapMB: of((r) => toMB(r.synced?.retainedHeapBytes)),
    rssMB: of((r) => toMB(r.synced?.rssBytes)),
    outputMB: of((r) => toMB(r.outputBytes)),
  };
  if (mine.some((r) => r.settled !== undefined))
    summary.settled = {
      settleMs: of((r) => r.settled?.settleMs),
      heapBytesPerObject: of((r) => r.settled?.heapBytesPerObject),
      rssBytesPerObject: of((r) => r.settled?.rssBytesPerObject),
      retainedHeapMB: of((r) => toMB(r.settled?.retainedHeapBytes)),
      rssMB: of((r) => toMB(r.settled?.rssBytes)),
      peakRssMB: of((r) => toMB(r.settled?.peakRssBytes)),
    };
  // Undefined spreads are left out of the JSON rather than written as nulls.
  return JSON.parse(JSON.stringify(summary)) as Summary;
}

const queryNames = ["byNamespace", "byLabel", "firstPage", "wholeObjects", "countPods"] as const;
type QueryName = (typeof queryNames)[number];

interface QuerySummary {
  query: string;
  matches?: number;
  p50Ms?: Spread;
  p99Ms?: Spread;
  maxMs?: Spread;
}

function summariseQueries(scenario: Scenario): QuerySummary[] {
  const measured = scenario.runs.flatMap((r) => (r.queries === undefined ? [] : [r.queries]));
  const first = measured[0];
  if (first === undefined) return [];
  const label: Record<QueryName, (q: QueryFigures) => string> = {
    byNamespace: (q) => `list({ namespaces: ["${q.namespace}"] }, { first: 100 })`,
    byLabel: (q) => `list({ labelSelector: "${q.labelSelector}" }, { first: 100 })`,
    firstPage: () => "list({}, { first: 100 })",
    wholeObjects: (q) => `list({ namespaces: ["${q.namespace}"] }, { first: 100 }), every objectText read`,
    countPods: () => 'countInSlices({ kinds: ["Pod"] }, "NAMESPACE")',
  };
  return queryNames.map((name) => {
    const of = (pick: (f: LatencyFigures) => number) => spread(measured.map((q) => pick(q[name])));
    return {
      query: label[name](first),
      matches: first[name].matches,
      p50Ms: of((f) => f.p50Ms),
      p99Ms: of((f) => f.p99Ms),
      maxMs: of((f) => f.maxMs),
    };
  });
}

interface Comparison {
  against: ContenderName;
  time?: number;
  heapPerObject?: number;
  rssPerObject?: number;
  peakRssPerObject?: number;
  settledHeapPerObject?: number;
  settledRssPerObject?: number;
}

/** meshsync pods over each baseline, of medians: below 1 is meshsync taking less. */
function compare(summaries: Summary[]): Comparison[] {
  const pods = summaries.find((s) => s.contender === "pods");
  if (pods === undefined || pods.runs === 0) return [];
  return (["floor", "stock", "kubectl"] as const).flatMap((against) => {
    const theirs = summaries.find((s) => s.contender === against);
    if (theirs === undefined || theirs.runs === 0) return [];
    const comparison: Comparison = {
      against,
      time: ratio(pods.syncMs?.median, theirs.syncMs?.median),
      heapPerObject: ratio(pods.heapBytesPerObject?.median, theirs.heapBytesPerObject?.median),
      rssPerObject: ratio(pods.rssBytesPerObject?.median, theirs.rssBytesPerObject?.median),
      peakRssPerObject: ratio(pods.peakRssBytesPerObject?.median, theirs.peakRssBytesPerObject?.median),
      settledHeapPerObject: ratio(
        pods.settled?.heapBytesPerObject?.median,
        theirs.heapBytesPerObject?.median,
      ),
      settledRssPerObject: ratio(pods.settled?.rssBytesPerObject?.median, theirs.rssBytesPerObject?.median),
    };
    return [JSON.parse(JSON.stringify(comparison)) as Comparison];
  });
}

// ---- the Markdown

const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const whole = (n: number) => Math.round(n).toLocaleString("en-US");
const tenth = (n: number) => n.toFixed(1);
const milliseconds = (n: number) => n.toFixed(n < 10 ? 2 : 1);
const times = (value: number | undefined) => (value === undefined ? "–" : `${value}×`);

/** How many pods the scenario has, as the pod-only contenders found them. */
function podsOf(summaries: Summary[]): number | undefined {
  for (const contender of ["floor", "pods", "engine", "stock", "kubectl"] as const) {
    const objects = summaries.find((s) => s.contender === contender)?.objects?.median;
    if (objects !== undefined) return objects;
  }
  return undefined;
}

function scenarioSection(
  scenario: Scenario,
  summaries: Summary[],
  comparisons: Comparison[],
  queries: QuerySummary[],
): string[] {
  const everything = summaries.find((s) => s.contender === "everything")?.objects?.median;
  const pods = podsOf(summaries);
  const lines = [
    `## ${scenario.name}: ${pods === undefined ? "pods not counted" : `${whole(pods)} pods`}${everything === undefined ? "" : `, ${whole(everything)} objects of every type`}`,
    "",
    "| contender | runs | objects | sync s | heap B/object | RSS B/object | peak RSS MB | peak RSS B/object | settle s | settled heap B/object | settled RSS B/object |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const s of summaries) {
    const runs = `${s.runs}${s.failed > 0 ? ` (${s.failed} failed)` : ""}`;
    lines.push(
      `| ${s.what} | ${runs} | ${formatSpread(s.objects, whole)} | ${formatSpread(s.syncMs, seconds)} | ${formatSpread(s.heapBytesPerObject, whole)} | ${formatSpread(s.rssBytesPerObject, whole)} | ${formatSpread(s.peakRssMB, tenth)} | ${formatSpread(s.peakRssBytesPerObject, whole)} | ${formatSpread(s.settled?.settleMs, seconds)} | ${formatSpread(s.settled?.heapBytesPerObject, whole)} | ${formatSpread(s.settled?.rssBytesPerObject, whole)} |`,
    );
  }
  for (const skip of scenario.skipped)
    lines.push(`| ${what[skip.contender]} | skipped: ${skip.reason} ${"| ".repeat(9)}|`);
  lines.push("");
  for (const c of comparisons) {
    const memory =
      c.against === "kubectl"
        ? `peak RSS/object ${times(c.peakRssPerObject)}`
        : `heap/object ${times(c.heapPerObject)} (settled ${times(c.settledHeapPerObject)}), RSS/object ${times(c.rssPerObject)} (settled ${times(c.settledRssPerObject)}), peak RSS/object ${times(c.peakRssPerObject)}`;
    lines.push(`- meshsync pods vs ${c.against}: time ${times(c.time)}, ${memory}`);
  }
  if (queries.length > 0) {
    lines.push(
      "",
      "Query latency on the pods graph once it settled, ms (each run times 200 of each, the five taking turns; median (min–max) over runs of each run's figure):",
      "",
      "| query | matches | p50 | p99 | max |",
      "| --- | --- | --- | --- | --- |",
      ...queries.map(
        (q) =>
          `| \`${q.query}\` | ${q.matches === undefined ? "–" : whole(q.matches)} | ${formatSpread(q.p50Ms, milliseconds)} | ${formatSpread(q.p99Ms, milliseconds)} | ${formatSpread(q.maxMs, milliseconds)} |`,
      ),
    );
  }
  for (const f of scenario.failures) lines.push(`- ${f.contender}, round ${f.round + 1} failed: ${f.error}`);
  lines.push("");
  return lines;
}

/** One row a scenario, so that growth with size reads down a column. */
function ladder(sections: { scenario: Scenario; summaries: Summary[]; queries: QuerySummary[] }[]): string[] {
  const count = (n: number | undefined) => (n === undefined ? "–" : whole(n));
  const median = (s: Spread | undefined, show: (n: number) => string) =>
    s === undefined ? "–" : show(s.median);
  const lines = [
    "| scenario | pods | pods: sync s | µs/pod | heap B/pod (settled) | RSS B/pod (settled) | everything: objects | sync s | settled heap B/object | namespace list p50 ms | label list p50 ms |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const { scenario, summaries, queries } of sections) {
    const pods = summaries.find((s) => s.contender === "pods");
    const all = summaries.find((s) => s.contender === "everything");
    const perPod =
      pods?.syncMs === undefined || pods.objects === undefined
        ? "–"
        : tenth((pods.syncMs.median * 1000) / pods.objects.median);
    lines.push(
      `| ${scenario.name} | ${count(podsOf(summaries))} | ${median(pods?.syncMs, seconds)} | ${perPod} | ${median(pods?.heapBytesPerObject, whole)} (${median(pods?.settled?.heapBytesPerObject, whole)}) | ${median(pods?.rssBytesPerObject, whole)} (${median(pods?.settled?.rssBytesPerObject, whole)}) | ${median(all?.objects, whole)} | ${median(all?.syncMs, seconds)} | ${median(all?.settled?.heapBytesPerObject, whole)} | ${median(queries[0]?.p50Ms, milliseconds)} | ${median(queries[1]?.p50Ms, milliseconds)} |`,
    );
  }
  return lines;
}

// ---- the run

const chosen = settings();
const machine: MachineRecord = machineRecord(root);
const kubectlSkip = kubectlMissing();
const started = new Date();
const scenarios: Scenario[] = [];
for (const name of chosen.scenarios) scenarios.push(await runScenario(name, chosen, kubectlSkip));

const sections = scenarios.map((scenario) => {
  const summaries = chosen.contenders
    .filter((c) => !scenario.skipped.some((s) => s.contender === c))
    .map((c) => summarise(scenario, c));
  return { scenario, summaries, comparisons: compare(summaries), queries: summariseQueries(scenario) };
});
const failures = scenarios.flatMap((s) => s.failures);
const mode = chosen.full ? "full" : "quick";
const report = {
  benchmark: "sync",
  mode,
  rounds: chosen.rounds,
  contenders: chosen.contenders,
  machine,
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  definitions: {
    heapBytesPerObject: "heapUsed after a full gc minus heapUsed before the sync, over the objects",
    rssBytesPerObject: "RSS after a full gc minus the same process's RSS before the sync, over the objects",
    peakRssBytesPerObject:
      "the process's peak RSS (VmHWM; kubectl's polled from /proc every 50 ms) over the objects, nothing subtracted",
    settled:
      "the same once graph.settledBodies() resolved: the graph's background packing of stored text done",
    ratios: "meshsync pods over the baseline, of medians; below 1 is meshsync taking less",
  },
  scenarios: sections.map(({ scenario, summaries, comparisons, queries }) => ({
    scenario: scenario.name,
    pods: podsOf(summaries),
    summaries,
    comparisons,
    queries,
    skipped: scenario.skipped,
    failures: scenario.failures,
    runs: scenario.runs,
  })),
};

const markdown = [
  `# Initial sync and memory (${mode}: ${chosen.scenarios.join(", ")}; ${chosen.rounds} round${chosen.rounds === 1 ? "" : "s"}, contenders interleaved, order rotated each round; median (min–max))`,
  "",
  "Every run is a fresh process against one simulator process per scenario. Heap and RSS per object are read after a full collection, less the same process's figures before the sync; peak RSS per object is the whole peak (VmHWM; kubectl's polled every 50 ms) over the objects, nothing subtracted, so a process's fixed cost weighs most at the small end. Settled: once the graph's background packing of stored text is done. Ratios are meshsync pods over the baseline, of medians; below 1 is meshsync taking less.",
  "",
  ...ladder(sections),
  "",
  ...sections.flatMap(({ scenario, summaries, comparisons, queries }) =>
    scenarioSection(scenario, summaries, comparisons, queries),
  ),
  machineLine(machine),
  "",
].join("\n");

const resultsDir = join(root, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const base = chosen.full ? "sync" : "sync-quick";
writeFileSync(join(resultsDir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(resultsDir, `${base}.md`), markdown);
console.log(markdown);
if (failures.length > 0) {
  console.log(`${failures.length} run${failures.length === 1 ? "" : "s"} failed`);
  process.exit(1);
}
process.exit(0);
