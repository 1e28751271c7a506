// nats-server killed and started again while the simulator churns: meshsync serve keeps reconnecting,
// and a consumer that does what Meshery should (ask for the store again on RESYNC and after its own
// reconnect) ends at the simulator's truth. (The overflow and RESYNC path, which needs a smaller buffer
// than serve's, is test/outputs/nats/outage.test.ts's.)
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MesheryConsumer, NatsRecorder, NatsServer, natsServerMissing } from "../support/nats-server.js";
import { type SimAndServe, startSimAndServe } from "../support/processes.js";
import { simRequest } from "../support/sim-request.js";

interface SimList {
  metadata: { resourceVersion: string };
  items: { metadata: { uid: string; resourceVersion: string } }[];
}

function compare(truth: SimList, consumer: MesheryConsumer): string[] {
  const truthRv = Number(truth.metadata.resourceVersion);
  const held = consumer.ofKind("Pod");
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const item of truth.items) {
    const { uid } = item.metadata;
    listed.add(uid);
    const rv = Number(item.metadata.resourceVersion);
    const mine = held.get(uid);
    if (mine === undefined) {
      if (consumer.deletedOfKind("Pod", uid) <= truthRv) problems.push(`lost ${uid}@${rv}`);
    } else if (mine < rv) problems.push(`stale ${uid}: ${mine} < ${rv}`);
  }
  for (const [uid, rv] of held) if (!listed.has(uid) && rv <= truthRv) problems.push(`ghost ${uid}@${rv}`);
  return problems;
}

async function waitForServe(url: string): Promise<void> {
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

describe.skipIf(natsServerMissing !== undefined)(
  `meshsync serve --broker-url while nats-server dies and comes back${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let nats: NatsServer;
    let processes: SimAndServe;
    let consumer: MesheryConsumer;

    beforeAll(async () => {
      nats = await NatsServer.start();
      consumer = await MesheryConsumer.connect(nats.url);
      processes = await startSimAndServe(["--churn", "400", "--seed", "21"], ["--broker-url", nats.url]);
      await waitForServe(nats.url);
      consumer.requestStore();
      await eventually(() => consumer.storeObjects > 0, 20_000, "the store reply");
    }, 90_000);

    afterAll(async () => {
      await consumer?.close();
      await processes?.stop();
      await nats?.dispose();
    });

    it("loses no change across two outages: the consumer converges to the simulator's truth", async () => {
      for (let outage = 0; outage < 2; outage++) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await nats.stop();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await nats.restart();
        await waitForServe(nats.url);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const truth = (await simRequest(processes.sim.origin, "GET", "/api/v1/pods")) as unknown as SimList;
      let problems = compare(truth, consumer);
      for (let attempt = 0; problems.length > 0 && attempt < 100; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        problems = compare(truth, consumer);
      }
      expect(problems).toEqual([]);
      expect(consumer.problems).toEqual([]);
      expect(truth.items.length).toBeGreaterThan(10);
      // serve said it lost NATS and found it again.
      const output = processes.serve.output();
      expect(output).toContain("NATS connection lost");
    }, 90_000);
  },
);
