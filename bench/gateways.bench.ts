// Subscribers spread over gateways: one leader (`serve --to-nats`) watches one churning simulator and
// publishes into JetStream, and 1, 2 or 3 gateways (`serve --from-nats`) serve the subscribers from the
// stream, split evenly among them; the baseline, in the same run, is the same subscribers on one plain
// `serve` (no NATS) watching the same simulator. Every subscriber takes every change. Measured per run
// over a window: deliveries a second, and the time from the change's commit in the watcher that
// watched it (its `time`, read back from that watcher's change log after the window and matched to
// each delivery by cursor, which gateways share with the leader) to its arrival; and the simulator's open watches, which must not grow with the
// number of gateways. Configurations are interleaved, their order rotated each round; figures are
// median (min–max) over the rounds. Every process (simulator, NATS, leader, gateways) is new each run.
// Run: npm run bench gateways   (--full: 900 subscribers, 30 s windows, 5 rounds)
//      flags take their value after "=": --subscribers=300 --churn=100 --seconds=20 --rounds=3
//      --drain=10 (seconds a window's changes may take to arrive after it ends) --seed=1
// --churn is `meshsync sim --churn`: its controllers and kubelets follow each change with more (pods
// scheduled, started, their Endpoints), so 100 makes about 400-500 changes a second of watched types
// when the machine keeps up; the figures say how many the watcher committed.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NatsServer, natsServerMissing } from "../test/support/nats-server.js";
import type { RunningProcess } from "../test/support/processes.js";
import {
  ChangeSubscribers,
  commitsBetween,
  cpuSeconds,
  type DeliveryReport,
  newestCursor,
  replicaRole,
  simulatorState,
  startGatewayProcess,
  startLeader,
  startSimulator,
  startSingle,
} from "./support/replica-processes.js";

const full = process.argv.includes("--full");
const defaults = full
  ? { subscribers: 900, churn: 100, seconds: 30, rounds: 5, drain: 10, seed: 1 }
  : { subscribers: 300, churn: 100, seconds: 20, rounds: 3, drain: 10, seed: 1 };
type Setting = keyof typeof defaults;

function settings(): typeof defaults {
  const chosen = { ...defaults };
  for (const arg of process.argv.slice(2)) {
    if (arg === "--full") continue;
    const match = /^--([a-z]+)=(\d+(?:\.\d+)?)$/.exec(arg);
    if (match === null || !(match[1]! in defaults))
      throw new Error(
        `unknown flag ${arg}: flags are --full and --${Object.keys(defaults).join("=N, --")}=N`,
      );
    chosen[match[1] as Setting] = Number(match[2]);
  }
  return chosen;
}

const { subscribers, churn, seconds, rounds, drain, seed } = settings();
const gatewayCounts = [1, 2, 3] as const;
/** 0 gateways: the baseline, the subscribers on the watcher alone. */
type Configuration = 0 | (typeof gatewayCounts)[number];
const configurations: readonly Configuration[] = [...gatewayCounts, 0];
const nameOf = (gateways: Configuration) =>
  gateways === 0 ? "baseline: serve alone" : `${gateways} gateway${gateways === 1 ? "" : "s"}`;

if (natsServerMissing !== undefined) {
  process.stdout.write(`gateways bench skipped: ${natsServerMissing}\n`);
  process.exit(0);
}

interface Run extends DeliveryReport {
  gateways: Configuration;
  round: number;
  loadAverage: number;
  changesPerSecond: number;
  simulatorWritesPerSecond: number;
  deliveriesPerSecond: number;
  expectedPerSecond: number;
  openWatches: { min: number; max: number };
  /** CPU cores used over the window. */
  cpu: { simulator: number; watcher: number; gateways: number[]; bench: number };
  roles: string[];
}

/** `total` split as evenly as can be among `parts`. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** An error's message and, for a failed fetch, what the socket said (its cause). */
function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

async function runOnce(gateways: Configuration, round: number): Promise<Run> {
  const loadAverage = round2(loadavg()[0]!);
  let stage = "starting the simulator";
  const sim = await startSimulator(churn, seed);
  let nats: NatsServer | undefined;
  let watcher: RunningProcess | undefined;
  const gatewayProcesses: RunningProcess[] = [];
  const clients = new ChangeSubscribers();
  try {
    stage = gateways === 0 ? "starting serve" : "starting NATS, the leader and the gateways";
    if (gateways === 0) watcher = await startSingle(sim);
    else {
      const server = await NatsServer.start({ jetstream: true });
      nats = server;
      watcher = await startLeader(sim, server);
      const starting = await Promise.allSettled(
        Array.from({ length: gateways }, (_, i) => startGatewayProcess(server, `gateway-${i + 1}`)),
      );
      // The ones that did start are stopped below with the rest.
      for (const outcome of starting)
        if (outcome.status === "fulfilled") gatewayProcesses.push(outcome.value);
      const failed = starting.find((outcome) => outcome.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    }
    stage = "asking the replicas their roles";
    // A replica that is not what this configuration needs would measure something else.
    const roles = await Promise.all([watcher, ...gatewayProcesses].map((p) => replicaRole(p.origin)));
    const wanted = gateways === 0 ? ["SINGLE"] : ["LEADER", ...gatewayProcesses.map(() => "GATEWAY")];
    if (roles.join() !== wanted.join())
      throw new Error(`replica roles ${roles.join()}, want ${wanted.join()}`);

    stage = "opening the subscribers";
    const servers = gateways === 0 ? [watcher] : gatewayProcesses;
    await clients.open(
      servers.map((server) => server.origin),
      split(subscribers, servers.length),
    );
    // Subscriptions start at the live end: the window opens once every one has had a change the
    // watcher committed after they were all open, so none is still catching up.
    await clients.past((await newestCursor(watcher.origin)).sequence, 60_000);

    const pidOf = (p: RunningProcess) => p.child.pid!;
    const cpuOf = () => ({
      simulator: cpuSeconds(pidOf(sim.process)),
      watcher: cpuSeconds(pidOf(watcher!)),
      gateways: gatewayProcesses.map((g) => cpuSeconds(pidOf(g))),
      bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    stage = "the window";
    const cpuBefore = cpuOf();
    const simBefore = await simulatorState(sim.process.origin);
    const from = Date.now();
    const to = from + seconds * 1000;
    const watches: number[] = [];
    while (Date.now() < to) {
      watches.push((await simulatorState(sim.process.origin)).openWatches);
      await sleep(Math.max(0, Math.min(1000, to - Date.now())));
    }
    for (const p of [sim.process, watcher, ...gatewayProcesses]) {
      const { exitCode, signalCode } = p.child;
      if (exitCode !== null || signalCode !== null)
        throw new Error(
          `${p.origin} exited (${exitCode ?? signalCode}) during the window:\n${p.output().slice(-2000)}`,
        );
    }
    const cpuAfter = cpuOf();
    const simAfter = await simulatorState(sim.process.origin);
    watches.push(simAfter.openWatches);
    const windowSeconds = (Date.now() - from) / 1000;

    stage = "reading the window's commits";
    const commits = await commitsBetween(watcher.origin, from, to);
    stage = "draining";
    const drainUntil = to + drain * 1000;
    while (!clients.drained(commits) && Date.now() < drainUntil) await sleep(250);
    const report = clients.report(from, to, commits);
    if (report.foreignCursors > 0)
      throw new Error(
        `${report.foreignCursors} subscribers had cursors of an epoch other than the watcher's: they cannot be matched to its commits`,
      );
    const cores = (after: number, before: number) => round2((after - before) / windowSeconds);
    const run: Run = {
      gateways,
      round,
      loadAverage,
      ...report,
      changesPerSecond: round1(report.changesInWindow / seconds),
      simulatorWritesPerSecond: round1(
        (simAfter.resourceVersion - simBefore.resourceVersion) / windowSeconds,
      ),
      deliveriesPerSecond: Math.round(report.deliveriesInWindow / seconds),
      expectedPerSecond: Math.round(report.expected / seconds),
      openWatches: { min: Math.min(...watches), max: Math.max(...watches) },
      cpu: {
        simulator: cores(cpuAfter.simulator, cpuBefore.simulator),
        watcher: cores(cpuAfter.watcher, cpuBefore.watcher),
        gateways: cpuAfter.gateways.map((after, i) => cores(after, cpuBefore.gateways[i]!)),
        bench: cores(cpuAfter.bench, cpuBefore.bench),
      },
      roles,
    };
    console.log(JSON.stringify({ configuration: nameOf(gateways), ...run }));
    return run;
  } catch (error) {
    // A refused connection or a missing ack usually means a replica exited: say which.
    const exited = [
      ["leader or serve", watcher] as const,
      ...gatewayProcesses.map((g, i) => [`gateway-${i + 1}`, g] as const),
    ]
      .filter(([, p]) => p !== undefined && (p.child.exitCode !== null || p.child.signalCode !== null))
      .map(
        ([name, p]) =>
          `${name} exited (${p!.child.exitCode ?? p!.child.signalCode}):\n${p!.output().slice(-2000)}`,
      );
    throw new Error(`${stage}: ${explain(error)}${exited.length > 0 ? `; ${exited.join("; ")}` : ""}`);
  } finally {
    clients.close();
    await Promise.all(gatewayProcesses.map((g) => g.stop()));
    await watcher?.stop();
    await sim.process.stop();
    await nats?.dispose();
  }
}

interface Spread {
  /** null: past the deliveries still missing at the drain limit. */
  median: number | null;
  min: number | null;
  max: number | null;
}

/** Median, min and max; a null (unknown, slower than every known value) sorts last. */
function spread(values: readonly (number | null)[]): Spread {
  const sorted = [...values].sort(
    (a, b) => (a ?? Number.POSITIVE_INFINITY) - (b ?? Number.POSITIVE_INFINITY),
  );
  const middle = sorted.length / 2;
  const lower = sorted[Math.ceil(middle) - 1] ?? null;
  const upper = sorted[Math.floor(middle)] ?? null;
  const median = lower === null || upper === null ? null : round1((lower + upper) / 2);
  return { median, min: sorted[0] ?? null, max: sorted.at(-1) ?? null };
}

const attemptsPerRun = 3;
const runs: Run[] = [];
/** Runs that ended in an error: not in the figures, but listed beside them. */
const failures: { configuration: string; round: number; error: string }[] = [];
for (let round = 0; round < rounds; round++) {
  // Each round starts one configuration later, so none always runs first or on the warmest machine.
  const order = configurations.map((_, i) => configurations[(i + round) % configurations.length]!);
  for (const gateways of order) {
    // A failed run is listed and run again afresh, a bounded number of times, so that one failure
    // (a replica that exits) does not leave a configuration without figures.
    for (let attempt = 1; attempt <= attemptsPerRun; attempt++) {
      try {
        runs.push(await runOnce(gateways, round));
        break;
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        failures.push({ configuration: nameOf(gateways), round, error: text });
        console.log(`${nameOf(gateways)}, round ${round + 1}, attempt ${attempt}: failed: ${text}`);
      }
    }
  }
}

const results = configurations.map((gateways) => {
  const mine = runs.filter((r) => r.gateways === gateways);
  const of = (pick: (r: Run) => number | null) => spread(mine.map(pick));
  return {
    configuration: nameOf(gateways),
    gateways,
    servers: gateways === 0 ? 1 : gateways,
    subscribersPerServer: split(subscribers, gateways === 0 ? 1 : gateways),
    runsMeasured: mine.length,
    failedAttempts: failures.filter((f) => f.configuration === nameOf(gateways)).length,
    changesPerSecond: of((r) => r.changesPerSecond),
    simulatorWritesPerSecond: of((r) => r.simulatorWritesPerSecond),
    deliveriesPerSecond: of((r) => r.deliveriesPerSecond),
    expectedPerSecond: of((r) => r.expectedPerSecond),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    maxMs: of((r) => r.maxMs),
    missing: of((r) => r.missing),
    drainMs: of((r) => r.drainMs),
    stampAfterCommitP50Ms: of((r) => r.stampAfterCommitP50Ms),
    resyncs: of((r) => r.resyncs),
    gaps: of((r) => r.gaps),
    openWatches: [...new Set(mine.flatMap((r) => [r.openWatches.min, r.openWatches.max]))].sort(
      (a, b) => a - b,
    ),
    cpuCores: {
      watcher: of((r) => r.cpu.watcher),
      gatewaysTotal: of((r) => round2(r.cpu.gateways.reduce((sum, c) => sum + c, 0))),
      simulator: of((r) => r.cpu.simulator),
      bench: of((r) => r.cpu.bench),
    },
    runs: mine,
  };
});

const baseline = results.find((r) => r.gateways === 0)!;
const ratio = (mine: number | null, theirs: number | null) =>
  mine === null || theirs === null || theirs === 0 ? null : round2(mine / theirs);
const comparisons = results
  .filter((r) => r.gateways !== 0)
  .map((r) => ({
    configuration: r.configuration,
    deliveriesPerSecondOverBaseline: ratio(r.deliveriesPerSecond.median, baseline.deliveriesPerSecond.median),
    p99OverBaseline: ratio(r.p99Ms.median, baseline.p99Ms.median),
  }));
const watchSets = results.map((r) => `${r.configuration}: ${r.openWatches.join(" or ") || "no run"}`);
const allWatches = new Set(results.flatMap((r) => r.openWatches));
const watchesSentence =
  allWatches.size === 1
    ? `The API server sees one set of ${[...allWatches][0]} watches whatever the number of gateways, as many as the plain serve opens.`
    : "The counts differ between configurations: see the runs.";
const stampsOwn = results.some((r) => r.gateways !== 0 && (r.stampAfterCommitP50Ms.median ?? 0) >= 1);

/** An error's first line, and the first error a process logged in the output it carries. */
function headline(error: string): string {
  const logged = /"level":(?:50|60)[^\n]*?"msg":"([^"]*)"/.exec(error)?.[1];
  const first = error.split("\n")[0]!.replace(/:$/, "");
  return logged === undefined ? first : `${first}: ${logged}`;
}

const ms = (value: number | null) => (value === null ? `> ${drain} s` : `${value} ms`);
const row = (s: Spread, show: (value: number | null) => string = String) =>
  `${show(s.median)} (${show(s.min)}–${show(s.max)})`;
const table = [
  "| configuration | runs | subscribers per server | changes/s committed | deliveries/s | expected/s | p50 | p99 | max | missing | cursor gaps | resyncs | API server watches | CPU cores: watcher / gateways / sim / bench |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...results.map((r) =>
    r.runsMeasured === 0
      ? `| ${r.configuration} | 0/${rounds} (${r.failedAttempts} failed) | ${r.subscribersPerServer.join(" + ")} ${"| – ".repeat(11)}|`
      : `| ${r.configuration} | ${r.runsMeasured}/${rounds}${r.failedAttempts > 0 ? ` (${r.failedAttempts} failed)` : ""} | ${r.subscribersPerServer.join(" + ")} | ${row(r.changesPerSecond)} | ${row(r.deliveriesPerSecond)} | ${row(r.expectedPerSecond)} | ${row(r.p50Ms, ms)} | ${row(r.p99Ms, ms)} | ${row(r.maxMs, ms)} | ${row(r.missing)} | ${row(r.gaps)} | ${row(r.resyncs)} | ${r.openWatches.join(", ")} | ${r.cpuCores.watcher.median} / ${r.cpuCores.gatewaysTotal.median} / ${r.cpuCores.simulator.median} / ${r.cpuCores.bench.median} |`,
  ),
  "",
  ...comparisons.map(
    (c) =>
      `- ${c.configuration}: ${c.deliveriesPerSecondOverBaseline ?? "–"}× the baseline's deliveries/s, p99 ${c.p99OverBaseline ?? "–"}× the baseline's`,
  ),
  `- Open watches at the simulator during the windows (sampled every second): ${watchSets.join("; ")}. ${watchesSentence}`,
  `- Latency is from the change's commit in the watcher that watched it (the leader; in the baseline the serve itself) to its arrival at the subscriber: the watcher's \`time\` for the change's cursor, read back from its change log (Query.changes) after the window. ` +
    (stampsOwn
      ? "A gateway stamps `time` when it applies the change itself (median " +
        results
          .filter((r) => r.gateways !== 0 && r.runsMeasured > 0)
          .map((r) => `${r.configuration}: ${r.stampAfterCommitP50Ms.median} ms`)
          .join(", ") +
        " after the leader's), so a gateway's own `time` would leave out the hop through JetStream."
      : "A gateway hands out the leader's `time` unchanged, so its own field measures the same."),
  `- Changes committed are the watched types' (Events are not watched by default): fewer than the simulator's writes (median ${baseline.simulatorWritesPerSecond.median}/s at churn ${churn}). Every subscriber takes every change; deliveries/s counts arrivals within the window, expected/s is subscribers × changes committed in it. Missing: deliveries of the window's changes that had not arrived ${drain} s after it, either later than that or never sent because a full connection coalesced them (a newer change of the same object went instead, PROTOCOL.md "Coalescing"; each shows as a cursor gap); the percentiles count them as slower than every arrival. ${availableParallelism()} CPU cores.`,
  ...failures.map((f) => `- ${f.configuration}, round ${f.round + 1} failed: ${headline(f.error)}`),
];

const report = {
  benchmark: "gateways",
  mode: full ? "full" : "quick",
  subscribers,
  churn,
  windowSeconds: seconds,
  rounds,
  drainLimitSeconds: drain,
  seed,
  node: process.version,
  subscription: "resourceChanges { sequence time type resource { uid resourceVersion } }, no filter",
  clients: "raw graphql-transport-ws sockets in the bench process, one subscription a socket",
  latency:
    "arrival (bench clock) minus the committing watcher's `time` for the same cursor, over every expected delivery of the changes committed in the window; deliveries still missing at the drain limit count as slower than any",
  cpuCores: availableParallelism(),
  results,
  comparisons,
  failures,
  measuredAt: new Date().toISOString(),
};
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "gateways.json"), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(
  join(resultsDir, "gateways.md"),
  `# Subscribers over gateways (${report.mode}: ${subscribers} subscribers, simulator churn ${churn}/s, ${rounds} rounds of ${seconds} s windows, configurations interleaved; median (min–max))\n\n${table.join("\n")}\n`,
);
console.log(table.join("\n"));
