import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { NatsOutput } from "../../../src/outputs/index.js";
import { NatsRecorder, NatsServer, natsServerMissing, TcpRelay } from "../../support/nats-server.js";
import { cluster, configMaps, pod, startOutput } from "./harness.js";

interface Envelope {
  EventType: string;
  Object: { metadata: { name: string; resourceVersion: string } } | null;
}

function configMap(name: string, rv: number) {
  return { ...pod(name, String(rv)), kind: "ConfigMap" };
}

function events(recorder: NatsRecorder): string[] {
  return recorder.on("meshery.meshsync.core").map((message) => {
    const { EventType, Object: object } = message.json as Envelope;
    return object === null
      ? EventType
      : `${EventType} ${object.metadata.name}@${object.metadata.resourceVersion}`;
  });
}

describe.skipIf(natsServerMissing !== undefined)(
  `NATS output: NATS away and back${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let server: NatsServer | undefined;
    let recorder: NatsRecorder | undefined;
    let output: NatsOutput | undefined;
    let relay: TcpRelay | undefined;

    afterEach(async () => {
      await relay?.cut();
      relay = undefined;
      await output?.close();
      output = undefined;
      await recorder?.close();
      recorder = undefined;
      await server?.dispose();
      server = undefined;
    });

    it("keeps trying a NATS that is unreachable at start, and publishes what changed meanwhile once it is reachable", async () => {
      server = await NatsServer.start();
      relay = await TcpRelay.start(server.port, false);
      recorder = await NatsRecorder.connect(server.url, ["meshery.meshsync.core"]);
      const started = startOutput(relay.url);
      output = started.output;
      for (let i = 1; i <= 20; i++) started.graph.upsert(cluster, configMaps, configMap("cm", i));
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(output.status()).toMatchObject({ connected: false, buffered: 20, published: 0 });
      await relay.restore();
      await eventually(() => events(recorder!).length >= 20, 15_000, "twenty changes");
      expect(events(recorder)).toEqual([
        "ADDED cm@1",
        ...Array.from({ length: 19 }, (_, i) => `MODIFIED cm@${i + 2}`),
      ]);
      expect(output.status()).toMatchObject({ connected: true, buffered: 0, dropped: 0 });
    });

    it("loses no change when its connection is cut mid-stream: what the server had not confirmed is sent again", async () => {
      server = await NatsServer.start();
      relay = await TcpRelay.start(server.port);
      recorder = await NatsRecorder.connect(server.url, ["meshery.meshsync.core"]);
      const started = startOutput(relay.url);
      output = started.output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      let rv = 0;
      const churn = setInterval(() => {
        for (let i = 0; i < 20; i++) started.graph.upsert(cluster, configMaps, configMap("cm", ++rv));
      }, 2);
      try {
        for (let round = 0; round < 3; round++) {
          await eventually(() => events(recorder!).length > (round + 1) * 300, 10_000, "changes flowing");
          await relay.cut();
          await eventually(() => !output!.status().connected, 10_000, "cut off");
          await new Promise((resolve) => setTimeout(resolve, 100));
          await relay.restore();
          await eventually(() => output!.status().connected, 10_000, "back");
        }
      } finally {
        clearInterval(churn);
      }
      const last = rv;
      await eventually(() => events(recorder!).includes(`MODIFIED cm@${last}`), 15_000, "last change");
      const seen = new Set(events(recorder).map((event) => Number(event.split("@")[1])));
      const missing = Array.from({ length: last }, (_, i) => i + 1).filter((value) => !seen.has(value));
      expect(missing).toEqual([]);
      expect(output.status()).toMatchObject({ dropped: 0, overflows: 0, buffered: 0 });
      expect(output.status().reconnects).toBeGreaterThanOrEqual(3);
    });

    it("comes back after nats-server itself is killed and started again on the same port", async () => {
      server = await NatsServer.start();
      const started = startOutput(server.url);
      output = started.output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      await server.stop();
      await eventually(() => !output!.status().connected, 10_000, "disconnected");
      started.graph.upsert(cluster, configMaps, configMap("while-away", 1));
      await server.restart();
      recorder = await NatsRecorder.connect(server.url, ["meshery.meshsync.core", "meshsync-meta"]);
      await eventually(() => output!.status().connected, 15_000, "reconnected");
      // Requests are served again: the request subscription came back with the connection.
      recorder.request("meshsync-meta");
      await eventually(() => recorder!.on("meshsync-meta").length === 1, 10_000, "meta answer");
      expect(output.status()).toMatchObject({ buffered: 0, dropped: 0 });
    });

    it("drops an overflowing buffer and, once back, sends RESYNC first; the store then brings the consumer to the graph's state", async () => {
      server = await NatsServer.start();
      const started = startOutput(server.url, {
        limits: { reconnectMinMs: 1000, reconnectMaxMs: 1000, maxBufferedMessages: 50 },
      });
      output = started.output;
      await eventually(() => output!.status().connected, 10_000, "connected");
      await server.stop();
      await eventually(() => !output!.status().connected, 10_000, "disconnected");
      for (let i = 0; i < 120; i++) started.graph.upsert(cluster, configMaps, configMap(`cm-${i}`, 1));
      for (let i = 0; i < 10; i++) started.graph.delete(cluster, configMaps, configMap(`cm-${i}`, 2));
      expect(output.status().overflows).toBeGreaterThanOrEqual(1);
      await server.restart();
      recorder = await NatsRecorder.connect(server.url, [
        "meshery.meshsync.core",
        "meshery-server.meshsync.store",
      ]);
      await eventually(() => events(recorder!).includes("RESYNC"), 15_000, "RESYNC");
      expect(events(recorder)[0]).toBe("RESYNC");
      expect(recorder.on("meshery.meshsync.core")[0]!.text).toBe(
        '{"ObjectType":"meshsync-data","EventType":"RESYNC","Request":null,"Object":null}',
      );
      // What Meshery does on RESYNC: ask for the store again.
      recorder.request("informer-store", { Reply: "meshery-server.meshsync.store" });
      await eventually(() => recorder!.on("meshery-server.meshsync.store").length >= 22, 10_000, "store");
      const names = recorder
        .on("meshery-server.meshsync.store")
        .flatMap((message) => (message.json as { Object: { metadata: { name: string } }[] }).Object)
        .map((object) => object.metadata.name)
        .sort();
      expect(names).toEqual(
        started.graph
          .list()
          .items.map((resource) => resource.name)
          .sort(),
      );
      expect(names).toHaveLength(110);
      expect(output.status().dropped).toBeGreaterThan(0);
    });
  },
);
