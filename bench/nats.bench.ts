// The NATS output's throughput: N Pod updates committed to a graph of the demo scenario, timed from
// the first commit until a subscriber on meshery.meshsync.core has received all N, on a real
// nats-server on loopback. meshsync's output (one ordered queue that yields to the event loop, every
// message held until a flush confirms it, so a cut connection loses nothing) against, in the same run,
// the plain nats.js recipe: a change listener that renders the same message and calls nc.publish at
// once (which drops what it publishes while disconnected). Both render with the same code, so the
// difference is what the queue and its confirmations cost. Rounds are interleaved; figures are median
// (min–max) changes a second.
// Run: npm run bench nats   (--full: 30,000 changes instead of 20,000)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScenario, type KubeObject } from "@meshsync/sim";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ResourceGraph } from "../src/graph/index.js";
import { silentLogger } from "../src/kube/index.js";
import { coreSubject, startNatsOutput } from "../src/outputs/index.js";
import { renderChange } from "../src/outputs/nats/render.js";
import { NatsServer, natsServerMissing } from "../test/support/nats-server.js";
import { benchCluster, typeNamer } from "./support/scenario-graph.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const full = process.argv.includes("--full");
// 20,000 demo Pods' updates stay under the output's 256 MiB pending bound at this machine's rate; a burst
// much larger outruns NATS and overflows it into a RESYNC by design (the run then fails, saying so).
const changes = full ? 30_000 : 20_000;
const rounds = 5;

type Variant = "plain nats.js publish" | "meshsync output";
const variants: readonly Variant[] = ["plain nats.js publish", "meshsync output"];

if (natsServerMissing !== undefined) {
  process.stdout.write(`nats bench skipped: ${natsServerMissing}\n`);
  process.exit(0);
}

const scenario = generateScenario("demo", 1);
const typeOf = typeNamer();
const pods = scenario.filter((object) => object.kind === "Pod");

function loadedGraph(): ResourceGraph {
  const graph = new ResourceGraph({ retainedChanges: 10_000 });
  graph.addCluster(benchCluster);
  for (const object of scenario) graph.upsert(benchCluster, typeOf(object), object);
  return graph;
}

/** The n-th update: a Pod's status and resourceVersion, as a kubelet's heartbeat rewrites them. */
function update(n: number): KubeObject {
  const pod = pods[n % pods.length]!;
  return {
    ...pod,
    metadata: { ...pod.metadata, resourceVersion: String(10_000_000 + n) },
    status: { ...(pod.status as Record<string, unknown> | undefined), observedRound: n },
  };
}

/**
 * Counts what arrives on the core subject from now on (once the server has the subscription: a flush
 * round trip) and resolves `until` once `count` messages have come; fails after a minute.
 */
async function arrivals(nc: NatsConnection): Promise<{ until(count: number): Promise<void>; close(): void }> {
  let received = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  const subscription = nc.subscribe(coreSubject, {
    callback: () => {
      received++;
      if (waiting !== undefined && received >= waiting.count) waiting.resolve();
    },
  });
  await nc.flush();
  return {
    until(count) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${received} of ${count} messages arrived within a minute`)),
          60_000,
        );
        waiting = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    close: () => subscription.unsubscribe(),
  };
}

async function run(variant: Variant, url: string, consumer: NatsConnection): Promise<number> {
  const graph = loadedGraph();
  const held = graph.size;
  let stop: () => Promise<void>;
  let describe = () => "";
  if (variant === "meshsync output") {
    // What the graph held at the start goes out first, as ADDED; the timed changes come after it.
    const first = await arrivals(consumer);
    const output = startNatsOutput({
      servers: [url],
      graph,
      firstSyncDone: () => true,
      whenFirstSyncDone: Promise.resolve(),
      resync: () => {},
      version: "bench",
      contentDedup: false,
      podLogs: () => {
        throw new Error("no logs in this benchmark");
      },
      podExec: () => Promise.reject(new Error("no exec in this benchmark")),
      logger: silentLogger,
    });
    describe = () => JSON.stringify(output.status());
    await first.until(held);
    first.close();
    stop = async () => {
      const { dropped, overflows } = output.status();
      if (dropped > 0) throw new Error(`the output dropped ${dropped} messages (${overflows} overflows)`);
      await output.close();
    };
  } else {
    const nc = await connect({ servers: [url] });
    const unsubscribe = graph.log.subscribe((change) => {
      const message = renderChange(change.type, change.resource, undefined, () => {});
      if (message !== undefined) nc.publish(coreSubject, message);
    });
    stop = async () => {
      unsubscribe();
      await nc.drain();
    };
  }
  const received = await arrivals(consumer);
  const all = received.until(changes);
  const started = performance.now();
  for (let n = 0; n < changes; n++) {
    const object = update(n);
    graph.upsert(benchCluster, typeOf(object), object);
    // Commits come in bursts between turns, as watch events do, so the output's queue gets its turns.
    if (n % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await all.catch((error: unknown) => {
    throw new Error(
      `${variant}: ${(error as Error).message} (graph committed ${graph.log.sequence} changes) ${describe()}`,
    );
  });
  const seconds = (performance.now() - started) / 1000;
  received.close();
  await stop();
  return Math.round(changes / seconds);
}

function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

const server = await NatsServer.start();
const consumer = await connect({ servers: [server.url] });
const perSecond = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));
try {
  for (let round = 0; round < rounds; round++) {
    // Interleaved, the order flipped every round, so neither variant always runs on a warmer process.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) perSecond.get(variant)!.push(await run(variant, server.url, consumer));
  }
} finally {
  await consumer.close();
  await server.dispose();
}

const results = variants.map((variant) => ({ variant, changesPerSecond: spread(perSecond.get(variant)!) }));
const plain = results[0]!.changesPerSecond.median;
const mine = results[1]!.changesPerSecond.median;
const report = {
  benchmark: "nats",
  changes,
  rounds,
  node: process.version,
  pods: pods.length,
  results,
  meshsyncOverPlain: Math.round((mine / plain) * 100) / 100,
};
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "nats.json"), `${JSON.stringify(report, null, 2)}\n`);
const row = (s: { median: number; min: number; max: number }) => `${s.median} (${s.min}–${s.max})`;
process.stdout.write(
  `${changes} Pod updates to meshery.meshsync.core, ${rounds} rounds, changes/s median (min–max):\n` +
    results.map((r) => `  ${r.variant.padEnd(22)} ${row(r.changesPerSecond)}`).join("\n") +
    `\n  meshsync / plain: ${report.meshsyncOverPlain}\n`,
);
