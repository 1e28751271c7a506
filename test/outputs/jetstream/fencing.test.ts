import { eventually } from "@meshsync/testing";
import { JetStreamApiError } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { ResourceGraph } from "../../../src/graph/index.js";
import { silentLogger } from "../../../src/kube/index.js";
import { ChangePublisher, decodeChange, objectSubject } from "../../../src/outputs/index.js";
import { natsServerMissing } from "../../support/nats-server.js";
import { jetStreamTestBed, pod, pods, stateOf } from "./harness.js";

function publishHeaders(msgId: string, expectedLast: number) {
  const h = headers();
  h.set("Nats-Msg-Id", msgId);
  h.set("Nats-Expected-Last-Sequence", String(expectedLast));
  return h;
}

describe.skipIf(natsServerMissing !== undefined)(
  `JetStream replication: one writer per stream${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = jetStreamTestBed();

    it("nats-server checks the message id before the expected sequence: a retry is a duplicate, another id is refused", async () => {
      const { js, jsm } = await bed.clients();
      await jsm.streams.add({ name: "DEDUP_ORDER", subjects: ["dedup.order"], duplicate_window: 60e9 });
      const first = await js.publish("dedup.order", "one", { headers: publishHeaders("e-1-a", 0) });
      expect(first).toMatchObject({ seq: 1, duplicate: false });
      // The same publish again: it expects 0 while the stream is at 1, yet it is taken as the duplicate.
      const again = await js.publish("dedup.order", "one", { headers: publishHeaders("e-1-a", 0) });
      expect(again).toMatchObject({ seq: 1, duplicate: true });
      // Another writer's publish of the same sequence (another id) is refused for its expected sequence.
      const other = await js
        .publish("dedup.order", "one", { headers: publishHeaders("e-1-b", 0) })
        .catch((e) => e);
      expect(other).toBeInstanceOf(JetStreamApiError);
      expect((other as JetStreamApiError).code).toBe(10071);
      expect((await jsm.streams.info("DEDUP_ORDER")).state.messages).toBe(1);
    });

    it("nats-server 2.9 stalls a stream that sources fenced messages, while a mirror takes them", async () => {
      const { js, jsm } = await bed.clients();
      await jsm.streams.add({ name: "FENCED", subjects: ["fenced.*"] });
      for (let seq = 1; seq <= 3; seq++)
        await js.publish(`fenced.${seq}`, "x", { headers: publishHeaders(`f-${seq}`, seq - 1) });
      // History lost before the copies are made: the copies start at 3, expecting 2.
      await jsm.streams.purge("FENCED", { seq: 3 });
      await jsm.streams.add({
        name: "FENCED_SOURCED",
        sources: [{ name: "FENCED" }],
        max_msgs_per_subject: 1,
      });
      await jsm.streams.add({ name: "FENCED_MIRROR", mirror: { name: "FENCED" }, max_msgs_per_subject: 1 });
      await js.publish("fenced.4", "x", { headers: publishHeaders("f-4", 3) });
      await eventually(
        async () => (await jsm.streams.info("FENCED_MIRROR")).state.last_seq === 4,
        10_000,
        "the mirror has both messages",
      );
      const mirror = await jsm.streams.info("FENCED_MIRROR");
      expect(mirror.state).toMatchObject({ messages: 2, first_seq: 3 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await jsm.streams.info("FENCED_SOURCED")).state.messages).toBe(0);
      expect(bed.server.output()).toMatch(/FENCED_SOURCED.*last sequence mismatch/);
    });

    it("refuses a second leader's change when the first wrote first, and stops it", async () => {
      const cluster = { id: "cluster-two-writers", name: "ctx" };
      const streams = await bed.streams(cluster);
      const first = await bed.leader(streams);
      first.graph.upsert(cluster, pods, pod("a", "1"));
      expect(await first.publisher.settled(10_000)).toBe(true);
      // Both believe they lead from sequence 1.
      const second = await bed.leader(streams);
      first.graph.upsert(cluster, pods, pod("b", "2"));
      expect(await first.publisher.settled(10_000)).toBe(true);
      second.graph.upsert(cluster, pods, pod("intruder", "3"));
      await eventually(() => second.fenced.length === 1, 10_000, "the second writer fenced");
      expect(second.publisher.state).toBe("fenced");
      expect(second.fenced[0]).toMatch(/another writer/);
      // Its change went nowhere, though it had the same sequence (and so an id of the same epoch-sequence).
      const { jsm } = await bed.clients();
      const stored = await jsm.streams.getMessage(streams.names.changeStream, { seq: 2 });
      const decoded = decodeChange(stored!.data, 1 << 20);
      expect(decoded.ok && decoded.change.object.metadata?.name).toBe("b");
      expect((await jsm.streams.info(streams.names.changeStream)).state.last_seq).toBe(2);
      // Fenced is final: later changes are not even tried.
      second.graph.upsert(cluster, pods, pod("intruder", "4"));
      expect(second.publisher.pending).toBe(0);
      expect(first.fenced).toEqual([]);
    });

    it("refuses the first leader's later change once a second one has written, and stops it", async () => {
      const cluster = { id: "cluster-stale-leader", name: "ctx" };
      const streams = await bed.streams(cluster);
      const first = await bed.leader(streams);
      first.graph.upsert(cluster, pods, pod("a", "1"));
      expect(await first.publisher.settled(10_000)).toBe(true);
      const second = await bed.leader(streams);
      second.graph.upsert(cluster, pods, pod("a", "2"));
      expect(await second.publisher.settled(10_000)).toBe(true);
      // The first has not noticed it lost the lease.
      first.graph.upsert(cluster, pods, pod("stale", "3"));
      await eventually(() => first.fenced.length === 1, 10_000, "the stale writer fenced");
      expect(first.publisher.state).toBe("fenced");
      const follower = await bed.follower(streams);
      expect(stateOf(follower.graph, cluster.id)).toEqual(stateOf(second.graph, cluster.id));
      expect(second.fenced).toEqual([]);
    });

    it("refuses to start a publisher that is not caught up with the stream", async () => {
      const cluster = { id: "cluster-behind", name: "ctx" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      leader.graph.upsert(cluster, pods, pod("a", "1"));
      leader.graph.upsert(cluster, pods, pod("b", "1"));
      expect(await leader.publisher.settled(10_000)).toBe(true);
      const behind = new ChangePublisher({
        link: await bed.link(),
        graph: new ResourceGraph(),
        streams,
        logger: silentLogger,
        onFenced: () => {},
        onOverflow: () => {},
      });
      await expect(behind.start(1)).rejects.toThrow(/ends at sequence 2, not 1/);
      expect(behind.state).toBe("stopped");
      expect(objectSubject(streams.names, "uid-a")).toBe("meshsync.replica.cluster-behind.obj.uid-a");
    });
  },
);
