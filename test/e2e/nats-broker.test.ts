// meshsync serve --broker-url against a real nats-server and the simulator, as Meshery Server sees it:
// every change of a churning cluster in MeshSync's wire shape, the informer store, resync-discovery,
// and the log and exec sessions, all through NATS.
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MesheryConsumer,
  NatsRecorder,
  type NatsServer,
  natsServerMissing,
} from "../support/nats-server.js";
import { convergedToSim, type ServeOnNats, startServeOnNats } from "../support/nats-truth.js";
import type { SimAndServe } from "../support/processes.js";
import { simRequest } from "../support/sim-request.js";

interface SimList {
  metadata: { resourceVersion: string };
  items: {
    metadata: { uid: string; name: string; namespace: string; resourceVersion: string };
    spec?: { containers?: { name: string }[] };
    status?: { phase?: string };
  }[];
}

async function simList(origin: string, path: string): Promise<SimList> {
  return (await simRequest(origin, "GET", path)) as unknown as SimList;
}

/** Counts the simulator's list requests for namespaces: a delay rule of 0 ms uses up one match per list. */
const namespaceLists = "^/api/v1/namespaces\\?(?!.*watch=)";
const counterStart = 1000;

async function installListCounter(origin: string): Promise<void> {
  await simRequest(origin, "POST", "/sim/faults", {
    action: "delay",
    ms: 0,
    count: counterStart,
    path: namespaceLists,
  });
}

async function namespaceListCount(origin: string): Promise<number> {
  const faults = (await simRequest(origin, "GET", "/sim/faults")) as {
    rules: { path?: string; remaining: number }[];
  };
  const rule = faults.rules.find((candidate) => candidate.path === namespaceLists);
  return counterStart - (rule?.remaining ?? 0);
}

describe.skipIf(natsServerMissing !== undefined)(
  `meshsync serve --broker-url: the MeshSync contract over NATS${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let running: ServeOnNats | undefined;
    let nats: NatsServer;
    let processes: SimAndServe;
    let consumer: MesheryConsumer;

    beforeAll(async () => {
      running = await startServeOnNats(["--churn", "300", "--seed", "11"]);
      ({ nats, processes, consumer } = running);
      await installListCounter(processes.sim.origin);
    }, 90_000);

    afterAll(async () => {
      await running?.stop();
    });

    it("publishes every change of a churning cluster in the wire shape: the consumer ends at the simulator's truth", async () => {
      await eventually(
        () => consumer.storeObjects > 0,
        20_000,
        `the store reply (${consumer.problems.slice(0, 3).join("; ")})`,
      );
      const changesBefore = consumer.changes;
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      expect(consumer.changes - changesBefore).toBeGreaterThan(500);
      expect(await convergedToSim(processes.sim.origin, consumer, "Pod", "/api/v1/pods")).toEqual([]);
      expect(await convergedToSim(processes.sim.origin, consumer, "ConfigMap", "/api/v1/configmaps")).toEqual(
        [],
      );
      expect(consumer.problems).toEqual([]);
      expect(consumer.resyncs).toBe(0);
    }, 60_000);

    it("shows the connection and what it published in /metrics", async () => {
      const metrics = await (await fetch(`${processes.serve.origin}/metrics`)).text();
      expect(metrics).toMatch(/^meshsync_nats_connected 1$/m);
      expect(Number(/^meshsync_nats_published_messages (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(
        consumer.changes,
      );
      expect(metrics).toMatch(/^meshsync_nats_dropped_messages 0$/m);
    });

    it("answers meshsync-meta with the version serve reports", async () => {
      const recorder = await NatsRecorder.connect(nats.url, ["meshsync-meta"]);
      try {
        recorder.request("meshsync-meta");
        await eventually(() => recorder.on("meshsync-meta").length === 1, 10_000, "meta answer");
        const { Object: version } = recorder.on("meshsync-meta")[0]!.json as { Object: string };
        expect(version).toMatch(/^v?\d+\.\d+\.\d+/);
      } finally {
        await recorder.close();
      }
    });

    it("relists once for many resync-discovery requests close together", async () => {
      const before = await namespaceListCount(processes.sim.origin);
      const recorder = await NatsRecorder.connect(nats.url, []);
      try {
        for (let i = 0; i < 25; i++) {
          recorder.request("resync-discovery");
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
        await recorder.connection.flush();
        // Go MeshSync's debounce: 5 s after the last request.
        await eventually(
          async () => (await namespaceListCount(processes.sim.origin)) > before,
          20_000,
          "a relist",
        );
        await new Promise((resolve) => setTimeout(resolve, 7_000));
        expect((await namespaceListCount(processes.sim.origin)) - before).toBe(1);
      } finally {
        await recorder.close();
      }
      // Whatever the relist changed, the consumer still follows the truth.
      expect(await convergedToSim(processes.sim.origin, consumer, "Pod", "/api/v1/pods")).toEqual([]);
    }, 60_000);

    it("streams a pod's log through NATS as the simulator serves it", async () => {
      const pods = await simList(processes.sim.origin, "/api/v1/namespaces/kube-system/pods");
      const pod = pods.items.find((item) => item.status?.phase === "Running")!;
      const { name, namespace } = pod.metadata;
      const container = pod.spec!.containers![0]!.name;
      const recorder = await NatsRecorder.connect(nats.url, ["meshery.meshsync.logs"]);
      try {
        recorder.request("log-stream", {
          operator: { id: "log-1", name, namespace, container, follow: false, taillines: 20 },
        });
        await eventually(() => recorder.on("meshery.meshsync.logs").length > 0, 20_000, "log chunks");
        await new Promise((resolve) => setTimeout(resolve, 500));
        const chunks = recorder.on("meshery.meshsync.logs").map((message) => message.json) as {
          ObjectType: string;
          EventType: string;
          Object: { id: string; data: string; primary: string; secondary: string };
        }[];
        for (const chunk of chunks) {
          expect(chunk).toMatchObject({ ObjectType: "log-stream", EventType: "ADDED" });
          expect(chunk.Object).toMatchObject({ id: "log-1", primary: name, secondary: container });
        }
        const text = chunks.map((chunk) => chunk.Object.data).join("");
        // The simulator's history ends at the moment it is read, so its timestamps move; the lines do not.
        const response = await fetch(
          `${processes.sim.origin}/api/v1/namespaces/${namespace}/pods/${name}/log?container=${container}&timestamps=true&tailLines=20`,
        );
        const untimed = (lines: string) =>
          lines
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => line.replace(/^\S+ /, ""));
        expect(untimed(text)).toEqual(untimed(await response.text()));
        expect(untimed(text)).toHaveLength(20);
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      } finally {
        await recorder.close();
      }
    }, 40_000);

    it("runs a shell in a pod through NATS: output on exec.<ns>.<pod>.<container>.<id>, input on input.<id>", async () => {
      const pods = await simList(processes.sim.origin, "/api/v1/namespaces/kube-system/pods");
      const pod = pods.items.find((item) => item.status?.phase === "Running")!;
      const { name, namespace } = pod.metadata;
      const container = pod.spec!.containers![0]!.name;
      const id = `exec.${namespace}.${name}.${container}.shell-1`;
      const recorder = await NatsRecorder.connect(nats.url, [id, "active_sessions.exec"]);
      const output = () =>
        recorder
          .on(id)
          .map((message) => (message.json as { Object: string }).Object)
          .join("");
      try {
        recorder.request("exec-request", { "shell-1": { id: "shell-1", name, namespace, container } });
        await eventually(() => recorder.on("active_sessions.exec").length > 0, 20_000, "session listed");
        expect((recorder.on("active_sessions.exec")[0]!.json as { Object: string[] }).Object).toContain(id);
        await eventually(() => output().length > 0, 20_000, "a prompt");
        for (const message of recorder.on(id))
          expect((message.json as { ObjectType: string }).ObjectType).toBe("exec-output");
        recorder.connection.publish(
          `input.${id}`,
          JSON.stringify({
            ObjectType: "exec-input",
            EventType: "",
            Request: null,
            Object: "echo meshsync-says-hello",
          }),
        );
        await eventually(
          () => output().includes("meshsync-says-hello\r\n") || output().includes("meshsync-says-hello\n"),
          20_000,
          "the command's output",
        );
        recorder.request("exec-request", {
          "shell-1": { id: "shell-1", name, namespace, container, stop: true },
        });
        recorder.request("active-exec");
        await eventually(
          () => {
            const lists = recorder.on("active_sessions.exec");
            const last = lists.at(-1)?.json as { Object: string[] } | undefined;
            return lists.length > 1 && last !== undefined && !last.Object.includes(id);
          },
          20_000,
          "the session gone from the list",
        );
      } finally {
        await recorder.close();
      }
    }, 60_000);
  },
);
