// Steady churn at cluster scale: one plain `serve` (graph, built-in relations, change log) watches a
// simulator whose controllers keep changing the scenario's cluster, while 100 subscribers take every
// change over graphql-ws and a client keeps asking a namespace page and a Service's relations. Per run,
// over a window once the sync and the graph's packing of cold text are behind it: the changes the
// simulator made and serve committed a second, each change's commit-to-arrival time at every
// subscriber (commits read back from serve's change log as it grows, matched to deliveries by cursor),
// the queries' latency, serve's CPU and RSS. Churn rates are interleaved, their order rotated each
// round; figures are median (min–max) over rounds. Every process is new each run.
// Run: npm run bench churn   (quick: the large scenario, 10,000 pods)
//      npm run bench churn -- --full   (the scale scenario: 150,000 pods, 241,503 objects)
//      flags take their value after "=": --scenario=medium --rates=100,300 --subscribers=100
//      --seconds=30 --warmup=60 --rounds=3 --drain=10 --seed=1
// A rate is `meshsync sim --churn`: its controllers and kubelets follow each change with more (pods
// scheduled, started, their EndpointSlices), so the simulator writes several times that many objects.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningProcess } from "../test/support/processes.js";
import {
  formatSpread,
  machineLine,
  machineRecord,
  percentile,
  rounded,
  type Spread,
  spread,
} from "./support/bench-stats.js";
import { readProcStatus } from "./support/proc-status.js";
import {
  ChangeSubscribers,
  CommitReader,
  cpuSeconds,
  type DeliveryReport,
  newestCursor,
  simulatorState,
  startSimulator,
  startSingle,
} from "./support/replica-processes.js";
import { warmSimulator } from "./support/warm-simulator.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const full = process.argv.includes("--full");
const defaults = full
  ? {
      scenario: "scale",
      // Not 1000: on two cores the simulator itself tops out near 1,200 writes/s, as it does at 300.
      rates: [100, 300],
      subscribers: 100,
      seconds: 30,
      warmup: 60,
      rounds: 3,
      drain: 10,
      seed: 1,
    }
  : {
      scenario: "large",
      rates: [100, 300, 1000],
      subscribers: 100,
      seconds: 10,
      warmup: 5,
      rounds: 3,
      drain: 10,
      seed: 1,
    };

function settings(): typeof defaults {
  const chosen = { ...defaults };
  for (const arg of process.argv.slice(2)) {
    if (arg === "--full") continue;
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    const name = match?.[1];
    const value = match?.[2] ?? "";
    if (name === "scenario" && /^[a-z0-9-]+$/.test(value)) chosen.scenario = value;
    else if (name === "rates" && /^\d+(,\d+)*$/.test(value)) chosen.rates = value.split(",").map(Number);
    else if (
      name !== undefined &&
      name !== "scenario" &&
      name !== "rates" &&
      name in defaults &&
      /^\d+$/.test(value)
    )
      (chosen as Record<string, unknown>)[name] = Number(value);
    else
      throw new Error(
        `unknown flag ${arg}: flags are --full, --scenario=NAME, --rates=N,N and --${["subscribers", "seconds", "warmup", "rounds", "drain", "seed"].join("=N, --")}=N`,
      );
  }
  return chosen;
}

const { scenario, rates, subscribers, seconds, warmup, rounds, drain, seed } = settings();

/** Queries a client keeps asking during the window, one at a time, in turn. */
const queries = [
  {
    name: "a namespace's first 100 pods",
    text: '{ resources(filter: { kinds: ["Pod"], namespaces: ["kube-system"] }, first: 100) { edges { node { uid name resourceVersion } } } }',
  },
  {
    name: "20 Services, each with its relations",
    text: '{ resources(filter: { kinds: ["Service"] }, first: 20) { edges { node { name relations(first: 50) { type direction resource { name kind } } } } } }',
  },
] as const;
const queryPauseMs = 100;

interface QueryTiming {
  name: string;
  asked: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
}

interface Run extends DeliveryReport {
  rate: number;
  round: number;
  objects: number;
  simulatorWritesPerSecond: number;
  committedPerSecond: number;
  deliveriesPerSecond: number;
  queries: QueryTiming[];
  /** CPU cores used over the window. */
  cpu: { serve: number; simulator: number; bench: number };
  serveRssMB: { end: number; peak: number };
  /** Seconds from serve's start to ready (synced) under this churn. */
  syncSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS and VmHWM of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readProcStatus(pid);
  if (status === undefined) throw new Error(`process ${pid} has no /proc status`);
  return { rss: status.rss / 1024 / 1024, peak: status.hwm / 1024 / 1024 };
}

async function ask(origin: string, query: string): Promise<unknown> {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || body.errors !== undefined || body.data === undefined)
    throw new Error(`${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

/** Asks the queries in turn until `to`; the latencies of each, and how many failed. */
async function askUntil(origin: string, to: number): Promise<QueryTiming[]> {
  const times = queries.map(() => [] as number[]);
  const failed = queries.map(() => 0);
  for (let turn = 0; Date.now() < to; turn++) {
    const which = turn % queries.length;
    const started = performance.now();
    try {
      await ask(origin, queries[which]!.text);
      times[which]!.push(performance.now() - started);
    } catch {
      failed[which]!++;
    }
    await sleep(queryPauseMs);
  }
  return queries.map((query, i) => ({
    name: query.name,
    asked: times[i]!.length + failed[i]!,
    failed: failed[i]!,
    p50Ms: rounded(percentile(times[i]!, 0.5), 2),
    p99Ms: rounded(percentile(times[i]!, 0.99), 2),
  }));
}

async function runOnce(rate: number, round: number): Promise<Run> {
  let stage = "starting the simulator";
  const sim = await startSimulator(rate, seed, scenario);
  let serve: RunningProcess | undefined;
  const clients = new ChangeSubscribers();
  try {
    stage = "warming the simulator up";
    await warmSimulator(sim.process.origin);
    stage = "starting serve and its sync";
    const started = performance.now();
    serve = await startSingle(sim);
    const syncSeconds = rounded((performance.now() - started) / 1000, 1);
    const { origin } = serve;
    const objects = (
      (await ask(origin, "{ resources(first: 0) { totalCount } }")) as {
        resources: { totalCount: number };
      }
    ).resources.totalCount;
    stage = "opening the subscribers";
    await clients.open([origin], [subscribers]);
    await clients.past((await newestCursor(origin)).sequence, 120_000);
    // The graph packs stored text once it has been cold for 10 s, and at full scale that catch-up takes
    // the best part of a minute after the sync; the window measures the steady state after it.
    await sleep(warmup * 1000);

    const pid = serve.child.pid!;
    const cpuOf = () => ({
      serve: cpuSeconds(pid),
      simulator: cpuSeconds(sim.process.child.pid!),
      bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    stage = "the window";
    const cpuBefore = cpuOf();
    const simBefore = await simulatorState(sim.process.origin);
    const from = Date.now();
    const to = from + seconds * 1000;
    const commits = new CommitReader(origin, from, 1000);
    const asking = askUntil(origin, to);
    let peakRss = 0;
    while (Date.now() < to) {
      peakRss = Math.max(peakRss, memoryOf(pid).rss);
      await sleep(Math.max(0, Math.min(1000, to - Date.now())));
    }
    const timings = await asking;
    const cpuAfter = cpuOf();
    const simAfter = await simulatorState(sim.process.origin);
    const windowSeconds = (Date.now() - from) / 1000;
    for (const p of [sim.process, serve]) {
      const { exitCode, signalCode } = p.child;
      if (exitCode !== null || signalCode !== null)
        throw new Error(`${p.origin} exited (${exitCode ?? signalCode}) during the window`);
    }
    const memory = memoryOf(pid);

    stage = "reading the window's commits and draining";
    const committed = await commits.until(to);
    const drainUntil = to + drain * 1000;
    while (!clients.drained(committed) && Date.now() < drainUntil) await sleep(250);
    const report = clients.report(from, to, committed);
    if (report.foreignCursors > 0)
      throw new Error(`${report.foreignCursors} subscribers had cursors of another epoch`);
    const cores = (after: number, before: number) => rounded((after - before) / windowSeconds, 2);
    const run: Run = {
      rate,
      round,
      objects,
      ...report,
      simulatorWritesPerSecond: rounded(
        (simAfter.resourceVersion - simBefore.resourceVersion) / windowSeconds,
      ),
      committedPerSecond: rounded(report.changesInWindow / seconds),
      deliveriesPerSecond: rounded(report.deliveriesInWindow / seconds),
      queries: timings,
      cpu: {
        serve: cores(cpuAfter.serve, cpuBefore.serve),
        simulator: cores(cpuAfter.simulator, cpuBefore.simulator),
        bench: cores(cpuAfter.bench, cpuBefore.bench),
      },
      serveRssMB: { end: rounded(memory.rss), peak: rounded(Math.max(memory.peak, peakRss)) },
      syncSeconds,
    };
    console.log(JSON.stringify({ ...run, queries: timings.map((q) => `${q.name}: p99 ${q.p99Ms} ms`) }));
    return run;
  } catch (error) {
    const exited = serve !== undefined && (serve.child.exitCode !== null || serve.child.signalCode !== null);
    const tail = exited ? `; serve exited:\n${serve!.output().slice(-2000)}` : "";
    throw new Error(`${stage}: ${error instanceof Error ? error.message : String(error)}${tail}`);
  } finally {
    clients.close();
    await serve?.stop();
    await sim.process.stop();
  }
}

const machine = machineRecord(root);
const startedAt = new Date().toISOString();
const runs: Run[] = [];
const failures: { rate: number; round: number; error: string }[] = [];
for (let round = 0; round < rounds; round++) {
  // Each round starts one rate later, so that none always runs first or on the warmest machine.
  const order = rates.map((_, i) => rates[(i + round) % rates.length]!);
  for (const rate of order) {
    try {
      runs.push(await runOnce(rate, round));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      failures.push({ rate, round, error: text });
      console.log(`--churn ${rate}, round ${round + 1}: failed: ${text}`);
    }
  }
}

/** Missing deliveries count as slower than any that came: a percentile past them is unknown (null). */
function spreadOf(values: readonly (number | null)[]): Spread | undefined | null {
  if (values.some((v) => v === null)) return null;
  return spread(values as number[]);
}

const summaries = rates.map((rate) => {
  const mine = runs.filter((r) => r.rate === rate);
  const of = (pick: (r: Run) => number) => spread(mine.map(pick));
  return {
    rate,
    runs: mine.length,
    failed: failures.filter((f) => f.rate === rate).length,
    objects: of((r) => r.objects),
    simulatorWritesPerSecond: of((r) => r.simulatorWritesPerSecond),
    committedPerSecond: of((r) => r.committedPerSecond),
    deliveriesPerSecond: of((r) => r.deliveriesPerSecond),
    p50Ms: spreadOf(mine.map((r) => r.p50Ms)),
    p99Ms: spreadOf(mine.map((r) => r.p99Ms)),
    missing: of((r) => r.missing),
    gaps: of((r) => r.gaps),
    resyncs: of((r) => r.resyncs),
    drainMs: of((r) => r.drainMs),
    queries: queries.map((query, i) => ({
      name: query.name,
      p50Ms: of((r) => r.queries[i]!.p50Ms),
      p99Ms: of((r) => r.queries[i]!.p99Ms),
      failed: of((r) => r.queries[i]!.failed),
    })),
    cpu: {
      serve: of((r) => r.cpu.serve),
      simulator: of((r) => r.cpu.simulator),
      bench: of((r) => r.cpu.bench),
    },
    serveRssMB: { end: of((r) => r.serveRssMB.end), peak: of((r) => r.serveRssMB.peak) },
    syncSeconds: of((r) => r.syncSeconds),
  };
});

/** A rate is kept up with when every change reached every subscriber, in order, within a second at p99. */
const keptUp = summaries.filter(
  (s) =>
    s.runs > 0 &&
    s.missing?.max === 0 &&
    s.gaps?.max === 0 &&
    s.resyncs?.max === 0 &&
    s.p99Ms !== null &&
    s.p99Ms !== undefined &&
    s.p99Ms.max < 1000,
);
const absorbed = keptUp.reduce<(typeof summaries)[number] | undefined>(
  (best, s) =>
    best === undefined || (s.committedPerSecond?.median ?? 0) > (best.committedPerSecond?.median ?? 0)
      ? s
      : best,
  undefined,
);

const n = (value: number) => rounded(value).toLocaleString("en-US");
const ms = (value: number) => String(rounded(value, value < 10 ? 1 : 0));
const latency = (value: Spread | undefined | null) =>
  value === null ? `> ${drain} s (deliveries missing)` : formatSpread(value, ms);
const headline =
  absorbed === undefined
    ? "No rate was kept up with (every change to every subscriber within 1 s at p99): see the runs."
    : `Absorbed: ${n(absorbed.committedPerSecond!.median)} changes/s committed (\`--churn ${absorbed.rate}\`), every one delivered to all ${subscribers} subscribers, p99 ${ms(absorbed.p99Ms!.median)} ms from commit to arrival.`;
const markdown = [
  `# Steady churn (${full ? "full" : "quick"}: ${scenario} scenario, ${subscribers} subscribers, ${seconds} s windows, ${rounds} rounds, rates interleaved; median (min–max))`,
  "",
  "One `serve` (graph, built-in relations, change log, defaults otherwise) watches a simulator that keeps changing the cluster; every subscriber takes every change over graphql-ws, and a client asks two queries in turn during the window. A rate is `meshsync sim --churn`; the simulator writes what its controllers follow it with too, Kubernetes Events among them, which serve does not watch without `--include-events`: hence more writes than commits. Latency is from serve's commit (its change log's `time`) to the subscriber's arrival; a missing delivery makes the percentile unknown. The window opens once serve is synced, every subscriber is live and " +
    `${warmup} s have passed.`,
  "",
  headline,
  "",
  "| --churn | runs | objects | simulator writes/s | committed/s | deliveries/s | p50 ms | p99 ms | missing | gaps / resyncs | serve CPU cores | simulator CPU | serve RSS MiB at end | serve peak RSS MiB | sync s (warm simulator, under churn) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...summaries
    .map((s) =>
      [
        s.rate,
        `${s.runs}${s.failed > 0 ? ` (${s.failed} failed)` : ""}`,
        formatSpread(s.objects, n),
        formatSpread(s.simulatorWritesPerSecond, n),
        formatSpread(s.committedPerSecond, n),
        formatSpread(s.deliveriesPerSecond, n),
        latency(s.p50Ms),
        latency(s.p99Ms),
        formatSpread(s.missing, n),
        `${formatSpread(s.gaps, n)} / ${formatSpread(s.resyncs, n)}`,
        formatSpread(s.cpu.serve, (v) => String(rounded(v, 2))),
        formatSpread(s.cpu.simulator, (v) => String(rounded(v, 2))),
        formatSpread(s.serveRssMB.end, n),
        formatSpread(s.serveRssMB.peak, n),
        formatSpread(s.syncSeconds, (v) => String(rounded(v, 1))),
      ].join(" | "),
    )
    .map((line) => `| ${line} |`),
  "",
  `Queries during the window, asked one at a time with ${queryPauseMs} ms between:`,
  "",
  "| --churn | query | p50 ms | p99 ms | failed |",
  "| --- | --- | --- | --- | --- |",
  ...summaries.flatMap((s) =>
    s.queries.map(
      (q) =>
        `| ${s.rate} | ${q.name} | ${formatSpread(q.p50Ms, ms)} | ${formatSpread(q.p99Ms, ms)} | ${formatSpread(q.failed, n)} |`,
    ),
  ),
  "",
  ...(failures.length > 0
    ? [
        "Failed runs:",
        "",
        ...failures.map((f) => `- --churn ${f.rate}, round ${f.round + 1}: ${f.error.split("\n")[0]}`),
        "",
      ]
    : []),
  machineLine(machine),
  "",
].join("\n");

const results = join(root, "bench", "results");
mkdirSync(results, { recursive: true });
const stem = full ? "churn" : "churn-quick";
writeFileSync(
  join(results, `${stem}.json`),
  `${JSON.stringify(
    {
      benchmark: "churn",
      mode: full ? "full" : "quick",
      settings: { scenario, rates, subscribers, seconds, warmup, rounds, drain, seed, queryPauseMs },
      machine,
      startedAt,
      finishedAt: new Date().toISOString(),
      absorbed:
        absorbed === undefined
          ? null
          : { rate: absorbed.rate, committedPerSecond: absorbed.committedPerSecond },
      summaries,
      failures,
      runs,
    },
    null,
    2,
  )}\n`,
);
writeFileSync(join(results, `${stem}.md`), markdown);
process.stdout.write(`\n${markdown}`);
process.exit(runs.length === 0 ? 1 : 0);
