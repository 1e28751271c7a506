import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { ensureClusterStreams } from "../../../src/outputs/index.js";
import { natsServerMissing, TcpRelay } from "../../support/nats-server.js";
import { configMap, configMaps, historyOf, jetStreamTestBed, stateOf } from "./harness.js";

describe.skipIf(natsServerMissing !== undefined)(
  `JetStream replication: NATS away and back${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = jetStreamTestBed();

    it("loses nothing and stores nothing twice when nats-server restarts mid-stream, and the follower converges", async () => {
      const cluster = { id: "cluster-restart", name: "ctx-restart" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      const replica = await bed.follower(streams);
      let rv = 0;
      const churn = () => {
        for (let i = 0; i < 10; i++) leader.graph.upsert(cluster, configMaps, configMap(`cm-${i % 7}`, ++rv));
      };
      const ticker = setInterval(churn, 20);
      try {
        await eventually(() => leader.publisher.lastPublished > 300, 20_000, "changes flowing");
        await bed.server.stop();
        const atStop = leader.graph.log.sequence;
        await eventually(() => leader.graph.log.sequence > atStop + 200, 10_000, "changes while away");
        expect(leader.publisher.pending).toBeGreaterThan(0);
        await bed.server.restart();
        await eventually(() => leader.publisher.lastPublished > atStop + 300, 30_000, "publishing again");
      } finally {
        clearInterval(ticker);
      }
      for (let i = 0; i < 7; i++) leader.graph.delete(cluster, configMaps, configMap(`cm-${i}`, ++rv));

      expect(await leader.publisher.settled(30_000)).toBe(true);
      const sequence = leader.graph.log.sequence;
      expect(leader.publisher.lastPublished).toBe(sequence);
      const { jsm } = await bed.clients();
      const info = await jsm.streams.info(streams.names.changeStream);
      // Every change once: as many messages as sequences, no gap and no duplicate stored.
      expect(info.state).toMatchObject({ messages: sequence, first_seq: 1, last_seq: sequence });
      await replica.follower.caughtUp();
      expect(replica.follower.counters).toMatchObject({ changeMessages: sequence, malformed: 0 });
      expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
      expect(historyOf(replica.graph, 0)).toEqual(historyOf(leader.graph, 0));
      expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());
      expect(replica.diverged).toEqual([]);
      expect(leader.fenced).toEqual([]);
      expect(leader.overflowed).toEqual([]);
    });

    it("recognises its own stored change after its acknowledgement was lost beyond the duplicate window", async () => {
      const cluster = { id: "cluster-lost-ack", name: "ctx" };
      const { jsm } = await bed.clients();
      const streams = await ensureClusterStreams(jsm, cluster, { duplicateWindowMs: 200 });
      const relay = await TcpRelay.start(bed.server.port);
      const link = await bed.link(relay.url, 500);
      try {
        const leader = await bed.leader(streams, { link });
        leader.graph.upsert(cluster, configMaps, configMap("a", 1));
        expect(await leader.publisher.settled(10_000)).toBe(true);
        relay.holdReplies();
        leader.graph.upsert(cluster, configMaps, configMap("a", 2));
        leader.graph.upsert(cluster, configMaps, configMap("b", 3));
        await eventually(
          async () => (await jsm.streams.info(streams.names.changeStream)).state.last_seq === 3,
          10_000,
          "both stored, unacknowledged",
        );
        expect(leader.publisher.lastPublished).toBe(1);
        // Past the duplicate window: sent again, the changes are refused for their expected sequence.
        await new Promise((resolve) => setTimeout(resolve, 600));
        await relay.cut();
        await relay.restore();
        expect(await leader.publisher.settled(15_000)).toBe(true);
        expect(leader.publisher.lastPublished).toBe(3);
        expect(leader.fenced).toEqual([]);
        expect(leader.publisher.counters.retries).toBeGreaterThan(0);
        expect((await jsm.streams.info(streams.names.changeStream)).state.messages).toBe(3);
        leader.graph.upsert(cluster, configMaps, configMap("c", 4));
        expect(await leader.publisher.settled(10_000)).toBe(true);
        const replica = await bed.follower(streams);
        expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
        expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());
      } finally {
        await link.close();
        await relay.cut();
      }
    });

    it("gives up, saying so once, when more changes wait for NATS than its bound", async () => {
      const cluster = { id: "cluster-overflow", name: "ctx" };
      const streams = await bed.streams(cluster);
      const relay = await TcpRelay.start(bed.server.port);
      const link = await bed.link(relay.url);
      try {
        const leader = await bed.leader(streams, { link, limits: { maxPendingBytes: 100_000 } });
        leader.graph.upsert(cluster, configMaps, configMap("a", 1));
        expect(await leader.publisher.settled(10_000)).toBe(true);
        await relay.cut();
        let rv = 1;
        while (leader.publisher.state === "running" && rv < 10_000)
          leader.graph.upsert(cluster, configMaps, configMap("a", ++rv, { blob: "x".repeat(1000) }));
        expect(leader.publisher.state).toBe("overflowed");
        expect(leader.overflowed).toEqual([expect.stringMatching(/more than the 100000-byte bound/)]);
        expect(leader.publisher.pending).toBe(0);
        leader.graph.upsert(cluster, configMaps, configMap("a", ++rv));
        await relay.restore();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const { jsm } = await bed.clients();
        expect((await jsm.streams.info(streams.names.changeStream)).state.last_seq).toBe(1);
        expect(leader.overflowed).toHaveLength(1);
        expect(leader.fenced).toEqual([]);
      } finally {
        await link.close();
        await relay.cut();
      }
    });
  },
);
