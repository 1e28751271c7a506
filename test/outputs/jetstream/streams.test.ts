import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import {
  ensureClusterStreams,
  listClusterStreams,
  ReplicationStreamError,
  readClusterStreams,
} from "../../../src/outputs/index.js";
import { natsServerMissing } from "../../support/nats-server.js";
import { configMap, configMaps, jetStreamTestBed } from "./harness.js";

describe.skipIf(natsServerMissing !== undefined)(
  `JetStream replication: the streams of a cluster${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = jetStreamTestBed();

    it("sets the streams up once however often it is asked, and brings them to new limits", async () => {
      const { jsm } = await bed.clients();
      const cluster = { id: "2f1c8a4e-0b7d-4c1e-9a55-3f0d2b6c7e81", name: "kind-dev" };
      const [first, second] = await Promise.all([
        ensureClusterStreams(jsm, cluster),
        ensureClusterStreams(jsm, cluster),
      ]);
      expect(second).toEqual(first);
      expect(first.names).toEqual({
        token: cluster.id,
        changeStream: `MESHSYNC_${cluster.id}`,
        snapshotStream: `MESHSYNC_${cluster.id}_SNAPSHOT`,
        subjects: `meshsync.replica.${cluster.id}.obj.*`,
      });
      expect(first.epoch).toMatch(/^[0-9a-f]{12}$/);
      const change = await jsm.streams.info(first.names.changeStream);
      expect(change.config).toMatchObject({
        storage: "file",
        discard: "old",
        max_age: 3_600_000_000_000,
        max_bytes: 1024 ** 3,
        duplicate_window: 120_000_000_000,
      });
      const snapshot = await jsm.streams.info(first.names.snapshotStream);
      expect(snapshot.config).toMatchObject({
        storage: "file",
        max_msgs_per_subject: 1,
        mirror: { name: first.names.changeStream },
      });
      expect(snapshot.config.subjects ?? []).toEqual([]);

      const renamed = await ensureClusterStreams(
        jsm,
        { ...cluster, name: "kind-renamed" },
        { maxAgeMs: 600_000, maxBytes: 1 << 20 },
      );
      expect(renamed.epoch).toBe(first.epoch);
      expect((await jsm.streams.info(first.names.changeStream)).config).toMatchObject({
        max_age: 600_000_000_000,
        max_bytes: 1 << 20,
      });
      expect((await readClusterStreams(jsm, cluster.id))?.cluster).toEqual({
        ...cluster,
        name: "kind-renamed",
      });
      await expect(ensureClusterStreams(jsm, cluster, { duplicateWindowMs: 7_200_000 })).rejects.toThrow(
        RangeError,
      );
    });

    it("names streams safely whatever the cluster id, and lists the clusters that have them", async () => {
      const { jsm } = await bed.clients();
      const odd = { id: "prod.eu west/1", name: "prod" };
      const streams = await ensureClusterStreams(jsm, odd);
      expect(streams.names.token).toMatch(/^prod_eu_west_1_[0-9a-f]{10}$/);
      await jsm.streams.add({ name: "UNRELATED", subjects: ["unrelated"] });
      const listed = await listClusterStreams(jsm);
      expect(listed).toContainEqual(streams);
      expect(listed.every((entry) => entry.names.changeStream.startsWith("MESHSYNC_"))).toBe(true);
      expect(listed.some((entry) => entry.names.changeStream === "UNRELATED")).toBe(false);
    });

    it("refuses to take over a stream of the same name that is not a replication stream", async () => {
      const { jsm } = await bed.clients();
      await jsm.streams.add({ name: "MESHSYNC_squatted", subjects: ["squatted.>"] });
      await expect(ensureClusterStreams(jsm, { id: "squatted", name: "x" })).rejects.toThrow(
        ReplicationStreamError,
      );
    });

    it("gives a stream made again a new epoch: its followers diverge, and a new follower starts afresh", async () => {
      const cluster = { id: "cluster-again", name: "ctx" };
      const streams = await bed.streams(cluster);
      const leader = await bed.leader(streams);
      leader.graph.upsert(cluster, configMaps, configMap("a", 1));
      expect(await leader.publisher.settled(10_000)).toBe(true);
      const replica = await bed.follower(streams);
      const oldCursor = replica.graph.log.cursor();

      const { jsm } = await bed.clients();
      await jsm.streams.delete(streams.names.changeStream);
      const again = await ensureClusterStreams(jsm, cluster);
      expect(again.epoch).not.toBe(streams.epoch);
      await eventually(() => replica.diverged.length > 0, 10_000, "the follower sees the stream made again");
      expect(replica.diverged[0]).toMatch(/made again|gone/);
      // The old epoch's streams cannot be followed any more; the new ones can, from nothing.
      await expect(bed.follower(streams)).rejects.toThrow(ReplicationStreamError);
      const fresh = await bed.follower(again);
      expect(fresh.follower.snapshotSequence).toBe(0);
      expect(fresh.graph.log.parseCursor(oldCursor)).toBeUndefined();
    });
  },
);
