// What the NATS end-to-end tests ask of a running `meshsync serve --broker-url`: that it answers
// requests yet, and that a MeshSync consumer holds what the simulator holds of a kind.
import { eventually } from "@meshsync/testing";
import { MesheryConsumer, NatsRecorder, NatsServer } from "./nats-server.js";
import { type SimAndServe, startSimAndServe } from "./processes.js";
import { simRequest } from "./sim-request.js";

interface SimList {
  metadata: { resourceVersion: string };
  items: { metadata: { uid: string; resourceVersion: string } }[];
}

/** A request that reaches NATS before serve has subscribed reaches no one: wait until serve answers one. */
export async function untilServeAnswers(url: string): Promise<void> {
  const probe = await NatsRecorder.connect(url, ["meshsync-meta"]);
  try {
    await eventually(
      () => {
        probe.request("meshsync-meta");
        return probe.on("meshsync-meta").length > 0;
      },
      30_000,
      "serve answering requests",
      250,
    );
  } finally {
    await probe.close();
  }
}

/** What the consumer holds of a kind against the simulator's list of it: lost, stale and ghost objects. */
function compare(truth: SimList, consumer: MesheryConsumer, kind: string): string[] {
  const truthRv = Number(truth.metadata.resourceVersion);
  const held = consumer.ofKind(kind);
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const item of truth.items) {
    const { uid } = item.metadata;
    listed.add(uid);
    const rv = Number(item.metadata.resourceVersion);
    const mine = held.get(uid);
    if (mine === undefined) {
      if (consumer.deletedOfKind(kind, uid) <= truthRv) problems.push(`lost ${uid}@${rv}`);
    } else if (mine < rv) problems.push(`stale ${uid}: ${mine} < ${rv}`);
  }
  for (const [uid, rv] of held) if (!listed.has(uid) && rv <= truthRv) problems.push(`ghost ${uid}@${rv}`);
  return problems;
}

/**
 * The simulator's list of a kind now, then up to ten seconds for the consumer to reach it (it may be
 * ahead, never behind): the problems that remain, none when it converged.
 */
export async function convergedToSim(
  origin: string,
  consumer: MesheryConsumer,
  kind: string,
  path: string,
): Promise<string[]> {
  const truth = (await simRequest(origin, "GET", path)) as unknown as SimList;
  let problems = compare(truth, consumer, kind);
  for (let attempt = 0; problems.length > 0 && attempt < 100; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    problems = compare(truth, consumer, kind);
  }
  if (truth.items.length === 0) problems.push(`the simulator holds no ${kind}: nothing was compared`);
  return problems;
}

export interface ServeOnNats {
  nats: NatsServer;
  processes: SimAndServe;
  consumer: MesheryConsumer;
  stop(): Promise<void>;
}

/**
 * nats-server, a Meshery-like consumer on it, and `meshsync sim` + `meshsync serve --broker-url`, in
 * the order Meshery Server meets them: it subscribes, serve comes up and answers requests, then the
 * consumer asks for the store.
 */
export async function startServeOnNats(simArgs: string[]): Promise<ServeOnNats> {
  const nats = await NatsServer.start();
  let consumer: MesheryConsumer | undefined;
  let processes: SimAndServe | undefined;
  try {
    consumer = await MesheryConsumer.connect(nats.url);
    processes = await startSimAndServe(simArgs, ["--broker-url", nats.url]);
    await untilServeAnswers(nats.url);
  } catch (error) {
    await consumer?.close();
    await processes?.stop();
    await nats.dispose();
    throw error;
  }
  consumer.requestStore();
  return {
    nats,
    processes,
    consumer,
    async stop() {
      await consumer.close();
      await processes.stop();
      await nats.dispose();
    },
  };
}
