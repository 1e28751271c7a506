// What the NATS end-to-end tests ask of a running `meshsync serve --broker-url`: that it answers
// requests yet, and that a MeshSync consumer holds what the simulator holds of a kind.
import { eventually } from "@meshsync/testing";
import { type MesheryConsumer, NatsRecorder } from "./nats-server.js";
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
