// Subscription fan-out: deliveries per second, change-to-client latency, lost deliveries and server RSS
// for meshsync's server next to the plain graphql-yoga createPubSub + graphql-ws recipe, measured in the
// same run on the same machine, runs interleaved. Changes are ConfigMaps written straight into the
// server's graph (the recipe: published to its pubsub) in the server's own process, each carrying its
// send time; clients are raw graphql-ws sockets in another process, ten subscriptions a socket, one per
// group (group = a namespace filter, ten groups), so every change goes to a tenth of the subscriptions.
// Run: npm run bench fanout            (quick: 2 rounds of 3 s a scenario)
//      npm run bench fanout -- --full  (3 rounds of 10 s)
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClientsCommand, ClientsReport } from "./support/fanout-clients.js";
import type { ServerCommand, ServerKind, ServerReply } from "./support/fanout-server.js";
import { readProcStatus } from "./support/proc-status.js";

const full = process.argv.includes("--full");
const rounds = full ? 3 : 2;
const churnSeconds = full ? 10 : 3;
const drainLimitMs = full ? 15_000 : 6_000;
const groups = 10;
const perSocket = 10;
const scenarios = [
  { subscriptions: 1000, perSecond: 200 },
  { subscriptions: 1000, perSecond: 500 },
  { subscriptions: 1000, perSecond: 1000 },
  { subscriptions: 5000, perSecond: 200 },
];

const benchDir = dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();

interface Run {
  kind: ServerKind;
  deliveriesPerSecond: number;
  expected: number;
  received: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Last delivery after the churn ended; a run stops waiting at the drain limit. */
  drainMs: number;
  rssStartMB: number;
  rssMaxMB: number;
  refused: number;
  serverErrors: number;
  firstServerError: string | undefined;
}

function child(file: string): ChildProcess {
  return fork(join(benchDir, "support", file), [], {
    execArgv: ["--max-old-space-size=4096", "--conditions=@meshsync/source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** Sends a command and waits for its reply; undefined when `timeoutMs` passes first (a wedged server). */
function ask<T>(
  process: ChildProcess,
  message: ServerCommand | ClientsCommand,
  reply: string,
  timeoutMs = 120_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no ${reply} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      finish();
      reject(new Error(`child exited (${code}) before ${reply}`));
    };
    const onMessage = (answer: { reply: string }) => {
      if (answer.reply !== reply) return;
      finish();
      resolve(answer as T);
    };
    const finish = () => {
      clearTimeout(timer);
      process.off("message", onMessage);
      process.off("exit", onExit);
    };
    process.on("message", onMessage);
    process.once("exit", onExit);
    process.send(message);
  });
}

/** The server's RSS read from outside, so that a server too busy to answer is still measured. */
function rssMB(pid: number): number {
  const status = readProcStatus(pid);
  if (status === undefined) throw new Error(`server ${pid} has no /proc status`);
  return Math.round(status.rss / 1024 / 1024);
}

async function runOnce(kind: ServerKind, subscriptions: number, perSecond: number): Promise<Run> {
  const server = child("fanout-server.ts");
  const clients = child("fanout-clients.ts");
  try {
    const { url } = await ask<{ url: string }>(server, { command: "start", kind, groups }, "listening");
    await ask(clients, { command: "start", url, kind, subscriptions, perSocket, groups }, "ready");
    const rssStartMB = rssMB(server.pid!);
    let rssMaxMB = rssStartMB;
    const sampler = setInterval(() => {
      rssMaxMB = Math.max(rssMaxMB, rssMB(server.pid!));
    }, 250);
    const churnStart = now();
    server.send({ command: "churn", perSecond, seconds: churnSeconds } satisfies ServerCommand);
    const churnEnd = churnStart + churnSeconds * 1000;
    // The driver makes exactly this many changes, round-robin over the groups (unless its process is
    // too busy to, which then shows as lost deliveries).
    const expected = perSecond * churnSeconds * (subscriptions / groups);
    await new Promise((resolve) => setTimeout(resolve, churnSeconds * 1000));
    let report: ClientsReport;
    for (;;) {
      report = await ask<ClientsReport>(clients, { command: "report", churnStart, churnEnd }, "report");
      if (report.received >= expected || now() - churnEnd > drainLimitMs) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    clearInterval(sampler);
    const stats = await ask<Extract<ServerReply, { reply: "stats" }>>(
      server,
      { command: "stats" },
      "stats",
      5000,
    ).catch(() => undefined);
    const run: Run = {
      kind,
      deliveriesPerSecond: Math.round(report.receivedDuringChurn / churnSeconds),
      expected,
      received: report.received,
      lost: Math.max(0, expected - report.received),
      p50Ms: Math.round(report.p50 * 10) / 10,
      p99Ms: Math.round(report.p99 * 10) / 10,
      maxMs: Math.round(report.max),
      drainMs: Math.max(0, Math.round(report.lastArrival - churnEnd)),
      rssStartMB,
      rssMaxMB,
      refused: report.errors,
      // -1: the server was too busy to say within 5 s.
      serverErrors: stats?.uncaught ?? -1,
      firstServerError: stats?.firstUncaught,
    };
    console.log(JSON.stringify({ subscriptions, perSecond, ...run }));
    return run;
  } finally {
    if (clients.connected) clients.send({ command: "stop" } satisfies ClientsCommand);
    if (server.connected) server.send({ command: "stop" } satisfies ServerCommand);
    await Promise.all(
      [server, clients].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            const killer = setTimeout(() => p.kill("SIGKILL"), 5000);
            p.once("exit", () => {
              clearTimeout(killer);
              resolve();
            });
          }),
      ),
    );
  }
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median: Math.round(median * 10) / 10, min: sorted[0]!, max: sorted.at(-1)! };
}

function summary(runs: Run[]) {
  const of = (key: keyof Omit<Run, "kind" | "firstServerError">) => spread(runs.map((r) => r[key] as number));
  return {
    deliveriesPerSecond: of("deliveriesPerSecond"),
    p50Ms: of("p50Ms"),
    p99Ms: of("p99Ms"),
    maxMs: of("maxMs"),
    lost: of("lost"),
    drainMs: of("drainMs"),
    rssMaxMB: of("rssMaxMB"),
    rssGrowthMB: spread(runs.map((r) => r.rssMaxMB - r.rssStartMB)),
    // Only the runs whose server could still answer within 5 s say how many errors it threw.
    serverErrors: runs.some((r) => r.serverErrors >= 0)
      ? spread(runs.filter((r) => r.serverErrors >= 0).map((r) => r.serverErrors))
      : undefined,
    runs,
  };
}

const results = [];
for (const { subscriptions, perSecond } of scenarios) {
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: ServerKind[] = round % 2 === 0 ? ["recipe", "meshsync"] : ["meshsync", "recipe"];
    for (const kind of order) runs.push(await runOnce(kind, subscriptions, perSecond));
  }
  const meshsync = summary(runs.filter((r) => r.kind === "meshsync"));
  const recipe = summary(runs.filter((r) => r.kind === "recipe"));
  results.push({
    subscriptions,
    groups,
    changesPerSecond: perSecond,
    meshsync,
    recipe,
    deliveriesRatio:
      Math.round(
        (meshsync.deliveriesPerSecond.median / Math.max(1, recipe.deliveriesPerSecond.median)) * 100,
      ) / 100,
    p99Ratio: Math.round((recipe.p99Ms.median / Math.max(0.1, meshsync.p99Ms.median)) * 10) / 10,
  });
}

const row = (s: Spread, unit = "") => `${s.median}${unit} (${s.min}–${s.max})`;
const table = [
  "| subs × changes/s | server | deliveries/s | p50 | p99 | max | lost | drain | RSS max (growth) MB | server errors |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...results.flatMap((r) =>
    (["meshsync", "recipe"] as const).map((kind) => {
      const s = r[kind];
      return `| ${r.subscriptions} × ${r.changesPerSecond} | ${kind} | ${row(s.deliveriesPerSecond)} | ${row(s.p50Ms, " ms")} | ${row(s.p99Ms, " ms")} | ${row(s.maxMs, " ms")} | ${row(s.lost)} | ${row(s.drainMs, " ms")} | ${s.rssMaxMB.median} (${s.rssGrowthMB.median}) | ${s.serverErrors === undefined ? "no answer" : row(s.serverErrors)} |`;
    }),
  ),
  "",
  ...results.map(
    (r) =>
      `- ${r.subscriptions} × ${r.changesPerSecond}/s: meshsync delivers ${r.deliveriesRatio}× the recipe's deliveries/s; recipe p99 / meshsync p99 = ${r.p99Ratio}`,
  ),
];
const result = {
  benchmark: "fanout",
  mode: full ? "full" : "quick",
  rounds,
  churnSeconds,
  drainLimitMs,
  node: process.version,
  changes:
    "ConfigMaps written into the server's graph (recipe: published to its pubsub) in the server process",
  clients: `raw graphql-ws sockets in one child process, ${perSocket} subscriptions a socket, ${groups} groups`,
  results,
  measuredAt: new Date().toISOString(),
};
const resultsDir = join(benchDir, "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "fanout.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(
  join(resultsDir, "fanout.md"),
  `# Subscription fan-out (${result.mode}: ${rounds} interleaved rounds of ${churnSeconds} s, drain awaited up to ${drainLimitMs} ms; median (min–max))\n\n${table.join("\n")}\n`,
);
console.log(table.join("\n"));
