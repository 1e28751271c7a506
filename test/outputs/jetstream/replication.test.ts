import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { natsServerMissing } from "../../support/nats-server.js";
import { configMap, configMaps, historyOf, jetStreamTestBed, pod, pods, stateOf } from "./harness.js";

describe.skipIf(natsServerMissing !== undefined)(
  `JetStream replication: leader to followers${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = jetStreamTestBed();

    it("builds the leader's graph on a follower, with the same sequences and cursors", async () => {
      const cluster = { id: "cluster-same", name: "ctx-same" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      // A new stream: the follower's snapshot is empty and its log starts at 0 too.
      const replica = await bed.follower(streams);
      expect(replica.follower.snapshotSequence).toBe(0);
      expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());

      for (let i = 0; i < 40; i++) leader.graph.upsert(cluster, pods, pod(`web-${i}`, String(i + 1)));
      for (let i = 0; i < 40; i += 3)
        leader.graph.upsert(cluster, pods, pod(`web-${i}`, String(100 + i), "Failed"));
      for (let i = 0; i < 40; i += 5) leader.graph.delete(cluster, pods, pod(`web-${i}`, String(200 + i)));
      leader.graph.replace(cluster, configMaps, [configMap("a", 1, { k: "v" }), configMap("b", 2)]);
      leader.graph.replace(cluster, configMaps, [configMap("b", 3, { k: "w" })]);

      expect(await leader.publisher.settled(20_000)).toBe(true);
      await replica.follower.caughtUp();
      expect(leader.publisher.lastPublished).toBe(leader.graph.log.sequence);
      expect(leader.publisher.pending).toBe(0);
      expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
      expect(historyOf(replica.graph, 0)).toEqual(historyOf(leader.graph, 0));
      expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());
      expect(replica.follower.applied).toBe(leader.graph.log.sequence);
      expect(replica.graph.clusters()).toEqual([cluster]);
      expect(replica.diverged).toEqual([]);
      expect(leader.fenced).toEqual([]);

      // What the stream holds: one message per change, each sequence once.
      const { jsm } = await bed.clients();
      const info = await jsm.streams.info(streams.names.changeStream);
      expect(info.state).toMatchObject({
        messages: leader.graph.log.sequence,
        last_seq: leader.graph.log.sequence,
      });
      const lag = replica.follower.lag();
      expect(lag.changes).toBe(0);
    });

    it("bootstraps a late follower from the snapshot, without the change history", async () => {
      const cluster = { id: "cluster-late", name: "ctx-late" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams, { limits: { tombstoneGraceMs: 200, retryMinMs: 50 } });
      for (let round = 1; round <= 5; round++)
        for (let i = 0; i < 20; i++)
          leader.graph.upsert(cluster, pods, pod(`api-${i}`, String(round * 100 + i)));
      for (let i = 0; i < 20; i += 4) leader.graph.delete(cluster, pods, pod(`api-${i}`, String(900 + i)));
      expect(await leader.publisher.settled(20_000)).toBe(true);
      const published = leader.graph.log.sequence;
      expect(published).toBe(105);

      const { jsm } = await bed.clients();
      await eventually(
        async () => (await jsm.streams.info(streams.names.snapshotStream)).state.last_seq === published,
        10_000,
        "the snapshot mirrors every change",
      );
      // Deleted objects leave the snapshot once their grace is over.
      await eventually(() => leader.publisher.prunedTombstones === 5, 10_000, "five deletions pruned");
      const snapshot = await jsm.streams.info(streams.names.snapshotStream);
      expect(snapshot.state.messages).toBe(15);
      // The change history is gone: a follower that needed it would find a gap and diverge.
      await jsm.streams.purge(streams.names.changeStream);

      const replica = await bed.follower(streams);
      expect(replica.follower.snapshotSequence).toBe(published);
      expect(replica.follower.counters).toMatchObject({
        snapshotMessages: 15,
        changeMessages: 0,
        malformed: 0,
      });
      expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
      expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());

      // Then live: what the leader commits next reaches it as the same sequences.
      leader.graph.upsert(cluster, pods, pod("api-1", "1000", "Failed"));
      leader.graph.delete(cluster, pods, pod("api-2", "1001"));
      leader.graph.upsert(cluster, pods, pod("new", "1002"));
      expect(await leader.publisher.settled(20_000)).toBe(true);
      await replica.follower.caughtUp();
      expect(replica.follower.counters.changeMessages).toBe(3);
      expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
      expect(historyOf(replica.graph, published)).toEqual(historyOf(leader.graph, published));
      expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());
      expect(replica.diverged).toEqual([]);
    });

    it("bootstraps a follower while the leader keeps publishing, and ends equal to it", async () => {
      const cluster = { id: "cluster-churn", name: "ctx-churn" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      // Many versions of few objects: a mirror full of interior deletions, which is where
      // nats-server 2.9's pending count stays above 0 and a read "until nothing is pending" never ends.
      for (let round = 1; round <= 30; round++)
        for (let i = 0; i < 20; i++)
          leader.graph.upsert(cluster, pods, pod(`job-${i}`, String(round * 100 + i)));
      expect(await leader.publisher.settled(20_000)).toBe(true);
      let version = 100_000;
      let churning = true;
      const churn = (async () => {
        while (churning) {
          for (let i = 0; i < 10; i++)
            leader.graph.upsert(cluster, pods, pod(`job-${(version * 7) % 400}`, String(++version)));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      try {
        const replica = await bed.follower(streams);
        expect(replica.follower.state).toBe("following");
        churning = false;
        await churn;
        expect(await leader.publisher.settled(20_000)).toBe(true);
        await replica.follower.caughtUp();
        expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));
        expect(replica.graph.log.sequence).toBe(leader.graph.log.sequence);
        expect(replica.diverged).toEqual([]);
      } finally {
        churning = false;
        await churn;
      }
    }, 60_000);

    it("lets a caught-up follower take over as leader, and the other followers keep following", async () => {
      const cluster = { id: "cluster-takeover", name: "ctx-takeover" };
      const streams = await bed.streams(cluster);
      const first = await bed.leader(streams);
      const standby = await bed.follower(streams);
      const gateway = await bed.follower(streams);
      for (let i = 0; i < 30; i++) first.graph.upsert(cluster, pods, pod(`db-${i}`, String(i + 1)));
      expect(await first.publisher.settled(20_000)).toBe(true);

      // The old leader falls silent; the standby catches up and publishes from where the stream ends.
      first.publisher.stop();
      first.graph.upsert(cluster, pods, pod("db-0", "999"));
      await standby.follower.caughtUp();
      await standby.follower.stop();
      const second = await bed.leader(streams, { graph: standby.graph });
      standby.graph.upsert(cluster, pods, pod("db-1", "500"));
      standby.graph.delete(cluster, pods, pod("db-2", "501"));
      expect(await second.publisher.settled(20_000)).toBe(true);
      await gateway.follower.caughtUp();
      expect(stateOf(gateway.graph, cluster.id)).toEqual(stateOf(standby.graph, cluster.id));
      expect(gateway.graph.log.cursor()).toBe(standby.graph.log.cursor());
      expect(gateway.graph.log.sequence).toBe(32);
      expect(gateway.diverged).toEqual([]);
      expect(second.fenced).toEqual([]);
    });
  },
);
