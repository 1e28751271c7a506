import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { ResourceGraph } from "../../../src/graph/index.js";
import type { NatsOutput } from "../../../src/outputs/index.js";
import { type NatsRecorder, natsServerMissing } from "../../support/nats-server.js";
import { cluster, configMaps, natsTestBed, pod, pods, wireObject } from "./harness.js";

describe.skipIf(natsServerMissing !== undefined)(
  `NATS output: changes on meshery.meshsync.core${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    const bed = natsTestBed();
    let recorder: NatsRecorder;
    let output: NatsOutput;

    it("publishes every change in Go MeshSync's envelope, the object as KubernetesResource", async () => {
      recorder = await bed.recorder(["meshery.meshsync.core"]);
      const started = bed.start();
      output = started.output;
      const { graph } = started;
      await eventually(() => output!.status().connected, 10_000, "connected");

      graph.upsert(cluster, pods, pod("web", "1", "Pending"));
      const added = graph.get("cluster-a/uid-web")!;
      graph.upsert(cluster, pods, pod("web", "2", "Running"));
      const modified = graph.get("cluster-a/uid-web")!;
      graph.delete(cluster, pods, pod("web", "3", "Running"));
      const deleted = graph.log.changeAt(graph.log.sequence)!.resource;

      await eventually(() => recorder.messages.length >= 3, 10_000, "three messages");
      const texts = recorder.messages.map((message) => message.text);
      // The exact key order and null Request of json.Marshal(broker.Message).
      for (const text of texts)
        expect(text).toMatch(
          /^\{"ObjectType":"meshsync-data","EventType":"[A-Z]+","Request":null,"Object":\{/,
        );
      expect(recorder.messages.map((message) => message.json)).toEqual([
        {
          ObjectType: "meshsync-data",
          EventType: "ADDED",
          Request: null,
          Object: wireObject(added, "ADDED"),
        },
        {
          ObjectType: "meshsync-data",
          EventType: "MODIFIED",
          Request: null,
          Object: wireObject(modified, "MODIFIED"),
        },
        {
          ObjectType: "meshsync-data",
          EventType: "DELETED",
          Request: null,
          Object: wireObject(deleted, "DELETED"),
        },
      ]);
      const object = (recorder.messages[1]!.json as { Object: Record<string, unknown> }).Object;
      expect(object.kind).toBe("Pod");
      expect(object.cluster_id).toBe("cluster-a");
      expect(JSON.parse((object.status as { attribute: string }).attribute)).toEqual({ phase: "Running" });
      expect(output.status()).toMatchObject({ published: 3, dropped: 0, buffered: 0 });
    });

    it("announces what the graph already holds as ADDED, then the changes after it, none twice", async () => {
      const graph = new ResourceGraph();
      for (let i = 0; i < 40; i++)
        graph.upsert(cluster, configMaps, { ...pod(`cm-${i}`, "1"), kind: "ConfigMap" });
      recorder = await bed.recorder(["meshery.meshsync.core"]);
      output = bed.start({ graph }).output;
      graph.upsert(cluster, configMaps, { ...pod("cm-0", "2"), kind: "ConfigMap" });
      graph.upsert(cluster, configMaps, { ...pod("cm-new", "1"), kind: "ConfigMap" });
      await eventually(() => recorder.messages.length >= 41, 10_000, "41 messages");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const events = recorder.messages.map((message) => {
        const { EventType, Object: object } = message.json as {
          EventType: string;
          Object: { metadata: { name: string; resourceVersion: string } };
        };
        return `${EventType} ${object.metadata.name}@${object.metadata.resourceVersion}`;
      });
      // cm-0 changed after the output started: its MODIFIED tells its state, the snapshot leaves it out.
      expect(events).toHaveLength(41);
      expect(new Set(events).size).toBe(41);
      expect(events.filter((event) => event.startsWith("ADDED")).length).toBe(40);
      expect(events).toContain("MODIFIED cm-0@2");
      // The state a consumer ends with is the graph's.
      const last = new Map<string, string>();
      for (const event of events) {
        const [, id] = event.split(" ");
        const [name, rv] = id!.split("@");
        last.set(name!, rv!);
      }
      expect(last.get("cm-0")).toBe("2");
      expect(last.size).toBe(41);
    });

    it("with content dedup, skips an object whose content has not changed since it was published, never a delete", async () => {
      recorder = await bed.recorder(["meshery.meshsync.core"]);
      const started = bed.start({ contentDedup: true });
      output = started.output;
      const { graph } = started;
      await eventually(() => output!.status().connected, 10_000, "connected");
      // Without a resourceVersion the graph cannot tell a repeat from a change: each is a MODIFIED.
      graph.upsert(cluster, pods, pod("same", ""));
      graph.upsert(cluster, pods, pod("same", ""));
      graph.upsert(cluster, pods, pod("same", ""));
      graph.upsert(cluster, pods, pod("same", "", "Failed"));
      graph.delete(cluster, pods, pod("same", "9", "Failed"));
      graph.upsert(cluster, pods, {
        ...pod("same", "", "Failed"),
        metadata: { ...pod("same", "", "Failed").metadata, uid: "uid-same" },
      });
      await eventually(() => recorder.messages.length >= 4, 10_000, "four messages");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const events = recorder.messages.map((message) => {
        const { EventType, Object: object } = message.json as {
          EventType: string;
          Object: { status: { attribute: string } };
        };
        return `${EventType} ${JSON.parse(object.status.attribute).phase}`;
      });
      // A delete forgets the object, so the same content right after it goes out again.
      expect(events).toEqual(["ADDED Running", "MODIFIED Failed", "DELETED Failed", "ADDED Failed"]);
      expect(output.status().deduplicated).toBe(2);
    });
  },
);
