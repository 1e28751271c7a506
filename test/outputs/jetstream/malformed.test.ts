import { eventually } from "@meshsync/testing";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { type ClusterStreams, ensureClusterStreams, objectSubject } from "../../../src/outputs/index.js";
import { NatsServer, natsServerMissing } from "../../support/nats-server.js";
import { configMap, configMaps, jetStreamTestBed, recordingLogger, stateOf } from "./harness.js";

describe.skipIf(natsServerMissing !== undefined)(
  `JetStream replication: bad messages in the stream${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = jetStreamTestBed();

    /** Stores a message in the change stream as the next sequence, as a writer that is not ours would. */
    async function intrude(streams: ClusterStreams, data: string): Promise<number> {
      const { js, jsm } = await bed.clients();
      const last = (await jsm.streams.info(streams.names.changeStream)).state.last_seq;
      const h = headers();
      h.set("Nats-Expected-Last-Sequence", String(last));
      const ack = await js.publish(objectSubject(streams.names, `intruder-${last}`), data, { headers: h });
      return ack.seq;
    }

    it("refuses a malformed message, reports the divergence once and goes on", async () => {
      const cluster = { id: "cluster-garbage", name: "ctx" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      const logger = recordingLogger();
      const replica = await bed.follower(streams, { logger });
      for (let i = 1; i <= 3; i++) leader.graph.upsert(cluster, configMaps, configMap(`cm-${i}`, i));
      expect(await leader.publisher.settled(10_000)).toBe(true);
      await replica.follower.caughtUp();

      const garbage = await intrude(streams, "{not json");
      // Well-formed, but not the change its place in the stream says.
      const misplaced = await intrude(
        streams,
        JSON.stringify({
          v: 1,
          sequence: 99,
          type: "ADDED",
          cluster,
          resourceType: configMaps,
          object: configMap("ghost", 1),
          time: Date.now(),
        }),
      );
      await eventually(() => replica.follower.applied === misplaced, 10_000, "past the bad messages");
      expect(replica.follower.counters.malformed).toBe(2);
      expect(replica.diverged).toEqual([
        expect.stringMatching(new RegExp(`message ${garbage} .*refused: message is not JSON`)),
      ]);
      expect(logger.errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/refused: message is not JSON/),
          expect.stringMatching(/refused: message says it is change 99/),
        ]),
      );
      expect(replica.follower.state).toBe("following");
      expect(replica.graph.get(`${cluster.id}/uid-ghost`)).toBeUndefined();
      expect(stateOf(replica.graph, cluster.id)).toEqual(stateOf(leader.graph, cluster.id));

      // The leader no longer writes the stream's next sequence: its next change is refused.
      leader.graph.upsert(cluster, configMaps, configMap("cm-4", 4));
      await eventually(() => leader.fenced.length === 1, 10_000, "the leader fenced");

      // A follower that starts now meets the bad message in the snapshot: reported, and the rest read.
      const late = await bed.follower(streams);
      expect(late.diverged).toEqual([expect.stringMatching(/refused: message is not JSON/)]);
      expect(late.follower.counters.malformed).toBe(2);
      expect(stateOf(late.graph, cluster.id)).toEqual(stateOf(replica.graph, cluster.id));
    });

    it("refuses a message over its size bound", async () => {
      const cluster = { id: "cluster-large", name: "ctx" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      const replica = await bed.follower(streams, { maxMessageBytes: 600 });
      leader.graph.upsert(cluster, configMaps, configMap("small", 1));
      leader.graph.upsert(cluster, configMaps, configMap("large", 2, { blob: "x".repeat(1000) }));
      expect(await leader.publisher.settled(10_000)).toBe(true);
      await replica.follower.caughtUp();
      expect(replica.diverged).toEqual([expect.stringMatching(/message 2 .* is over the 600-byte bound/)]);
      expect(replica.graph.get(`${cluster.id}/uid-small`)).toBeDefined();
      expect(replica.graph.get(`${cluster.id}/uid-large`)).toBeUndefined();
    });

    it("sends an object larger than the server takes as its identity, and the replicas stay in step", async () => {
      const small = await NatsServer.start({ jetstream: true, maxPayload: 8192 });
      const link = await bed.link(small.url);
      try {
        const cluster = { id: "cluster-huge", name: "ctx" };
        const streams = await ensureClusterStreams((await link.whenUp())!.jsm, cluster);
        const leader = await bed.leader(streams, { link });
        const replica = await bed.follower(streams, { link });
        leader.graph.upsert(cluster, configMaps, configMap("huge", 1, { blob: "x".repeat(20_000) }));
        leader.graph.upsert(cluster, configMaps, configMap("small", 2));
        expect(await leader.publisher.settled(10_000)).toBe(true);
        await replica.follower.caughtUp();
        expect(leader.publisher.counters.truncated).toBe(1);
        expect(replica.graph.get(`${cluster.id}/uid-huge`)?.object).toEqual({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "huge", uid: "uid-huge", namespace: "default", resourceVersion: "1" },
        });
        expect(replica.graph.get(`${cluster.id}/uid-small`)?.objectText).toBe(
          leader.graph.get(`${cluster.id}/uid-small`)?.objectText,
        );
        expect(replica.graph.log.cursor()).toBe(leader.graph.log.cursor());
        expect(replica.diverged).toEqual([]);
      } finally {
        await link.close();
        await small.dispose();
      }
    });
  },
);
