import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import type { NatsOutput } from "../../../src/outputs/index.js";
import { type NatsRecorder, natsServerMissing } from "../../support/nats-server.js";
import { cluster, natsTestBed, pod, pods, wireObject } from "./harness.js";

const storeSubject = "meshery-server.meshsync.store";

describe.skipIf(natsServerMissing !== undefined)(
  `NATS output: requests on meshery.meshsync.request${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = natsTestBed();
    let recorder: NatsRecorder;
    let output: NatsOutput;

    it("answers informer-store with every stored object, five a message, only once the first sync is done", async () => {
      let synced = false;
      let finishSync: () => void = () => {};
      const whenFirstSyncDone = new Promise<void>((resolve) => {
        finishSync = resolve;
      });
      recorder = await bed.recorder([storeSubject]);
      const started = bed.start({ firstSyncDone: () => synced, whenFirstSyncDone });
      output = started.output;
      const { graph } = started;
      await eventually(() => output!.status().connected, 10_000, "connected");
      for (let i = 0; i < 12; i++) graph.upsert(cluster, pods, pod(`p-${String(i).padStart(2, "0")}`, "1"));

      recorder.request("informer-store", { Reply: storeSubject });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(recorder.on(storeSubject)).toHaveLength(0);

      graph.upsert(cluster, pods, pod("p-12", "1"));
      synced = true;
      finishSync();
      await eventually(() => recorder.on(storeSubject).length >= 3, 10_000, "three store batches");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const batches = recorder.on(storeSubject);
      expect(batches).toHaveLength(3);
      for (const batch of batches)
        expect(batch.text).toMatch(/^\{"ObjectType":"","EventType":"","Request":null,"Object":\[\{/);
      const objects = batches.flatMap((batch) => (batch.json as { Object: unknown[] }).Object);
      expect(batches.map((batch) => (batch.json as { Object: unknown[] }).Object.length)).toEqual([5, 5, 3]);
      const expected = graph.list().items.map((resource) => wireObject(resource, "ADDED"));
      expect(objects).toEqual(expected);
    });

    it("answers meshsync-meta with the version on meshsync-meta", async () => {
      recorder = await bed.recorder(["meshsync-meta"]);
      output = bed.start({ version: "v1.2.3" }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      await recorder.connection.flush();
      recorder.request("meshsync-meta");
      await eventually(() => recorder.on("meshsync-meta").length === 1, 10_000, "meta answer");
      expect(recorder.on("meshsync-meta")[0]!.text).toBe(
        '{"ObjectType":"","EventType":"","Request":null,"Object":"v1.2.3"}',
      );
    });

    it("relists once for many resync-discovery requests close together", async () => {
      recorder = await bed.recorder([]);
      const started = bed.start({ limits: { resyncDebounceMs: 300, resyncMaxDelayMs: 5_000 } });
      output = started.output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 20; i++) recorder.request("resync-discovery");
      await recorder.connection.flush();
      await eventually(() => started.relists() === 1, 10_000, "one relist");
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(started.relists()).toBe(1);
      recorder.request("resync-discovery");
      await eventually(() => started.relists() === 2, 10_000, "a second relist for a later request");
    });

    it("refuses malformed requests with a log line and goes on serving", async () => {
      const warnings: string[] = [];
      const logger = {
        debug() {},
        info() {},
        warn(_obj: object, msg?: string) {
          warnings.push(msg ?? "");
        },
        error() {},
      };
      recorder = await bed.recorder(["meshsync-meta"]);
      output = bed.start({ logger, limits: { maxRequestBytes: 4096 } }).output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      const nc = recorder.connection;
      nc.publish("meshery.meshsync.request", "not json");
      nc.publish("meshery.meshsync.request", JSON.stringify({ Request: null }));
      nc.publish(
        "meshery.meshsync.request",
        JSON.stringify({ Request: { Entity: "informer-store", Payload: {} } }),
      );
      nc.publish(
        "meshery.meshsync.request",
        JSON.stringify({ Request: { Entity: "log-stream", Payload: { a: { name: "x", follow: "yes" } } } }),
      );
      nc.publish(
        "meshery.meshsync.request",
        JSON.stringify({ Request: { Entity: "meshsync-meta", Payload: "x".repeat(5000) } }),
      );
      // Go's encoding/json matches keys without regard to case.
      nc.publish("meshery.meshsync.request", JSON.stringify({ request: { entity: "meshsync-meta" } }));
      await eventually(() => recorder.on("meshsync-meta").length === 1, 10_000, "meta answer");
      expect(warnings.filter((warning) => warning === "NATS request refused")).toHaveLength(5);
    });
  },
);
