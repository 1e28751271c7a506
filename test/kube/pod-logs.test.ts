import type { KubeObject, RunningSimulator } from "@meshsync/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterConnection } from "../../src/kube/connect.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { openPodLogs, splitLines } from "../../src/kube/pod-logs.js";
import { connectedSimulator } from "./sim-connection.js";

const box: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "box", namespace: "default" },
  spec: {
    nodeName: "node-a",
    containers: [
      { name: "main", image: "busybox" },
      { name: "side", image: "busybox" },
    ],
  },
  status: { phase: "Running" },
};

describe("pod logs through a cluster connection", () => {
  let sim: RunningSimulator;
  let connection: ClusterConnection;

  beforeAll(async () => {
    ({ sim, connection } = await connectedSimulator({
      scenario: "empty",
      controllers: false,
      objects: [box],
      logFollowIntervalMs: 50,
    }));
  });
  afterAll(async () => {
    await sim.close();
  });

  it("reads the last lines of a container's log", async () => {
    const lines: string[] = [];
    for await (const line of await openPodLogs(connection.client, "default", "box", {
      container: "side",
      tailLines: 3,
    })) {
      lines.push(line);
    }
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.startsWith("side ") && line.endsWith(" pod=box"))).toBe(true);
    expect(lines.map((line) => /seq=(\d+)/.exec(line)?.[1])).toEqual(["47", "48", "49"]);
  });

  it("passes timestamps and limitBytes to the server", async () => {
    const stamped: string[] = [];
    const options = { container: "main", tailLines: 2, timestamps: true };
    for await (const line of await openPodLogs(connection.client, "default", "box", options))
      stamped.push(line);
    expect(stamped).toHaveLength(2);
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z main /);
    const limited: string[] = [];
    for await (const line of await openPodLogs(connection.client, "default", "box", {
      container: "main",
      limitBytes: 10,
    })) {
      limited.push(line);
    }
    expect(limited).toEqual(["main GET /"]);
  });

  it("follows a log: new lines arrive until the caller aborts", async () => {
    const controller = new AbortController();
    const stream = await openPodLogs(connection.client, "default", "box", {
      container: "main",
      tailLines: 1,
      follow: true,
      signal: controller.signal,
    });
    const seqs: number[] = [];
    for await (const line of stream) {
      seqs.push(Number(/seq=(\d+)/.exec(line)?.[1]));
      if (seqs.length === 4) controller.abort();
    }
    expect(seqs).toEqual([49, 50, 51, 52]);
  });

  it("fails with the server's message for a wrong container, a missing one, and a missing pod", async () => {
    const wrong = await openPodLogs(connection.client, "default", "box", { container: "nope" }).catch(
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(KubeApiError);
    expect(wrong).toMatchObject({ status: 400, message: "container nope is not valid for pod box" });
    const ambiguous = await openPodLogs(connection.client, "default", "box").catch((e: unknown) => e);
    expect(ambiguous).toMatchObject({
      status: 400,
      message: "a container name must be specified for pod box, choose one of: [main side]",
    });
    const missing = await openPodLogs(connection.client, "default", "ghost").catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, reason: "NotFound", message: 'pods "ghost" not found' });
    const previous = await openPodLogs(connection.client, "default", "box", {
      container: "main",
      previous: true,
    }).catch((e: unknown) => e);
    expect(previous).toMatchObject({
      status: 400,
      message: 'previous terminated container "main" in pod "box" not found',
    });
  });

  it("refuses options it must not send", async () => {
    await expect(openPodLogs(connection.client, "default", "box", { tailLines: -1 })).rejects.toThrow(
      "tailLines",
    );
    await expect(openPodLogs(connection.client, "default", "a/b")).rejects.toThrow("invalid pod name");
  });
});

describe("splitting a log into lines", () => {
  async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
    for (const part of parts) yield Buffer.from(part);
  }

  async function lines(max: number, ...parts: (string | Buffer)[]): Promise<string[]> {
    const out: string[] = [];
    for await (const line of splitLines(chunks(...parts), max)) out.push(line);
    return out;
  }

  it("keeps indentation and empty lines, and drops only the newline", async () => {
    expect(await lines(100, "  at frame\n\nlast\r\n", "tail")).toEqual(["  at frame", "", "last", "tail"]);
  });

  it("joins a character cut between chunks", async () => {
    const euro = Buffer.from("€\n");
    expect(await lines(100, euro.subarray(0, 1), euro.subarray(1))).toEqual(["€"]);
  });

  it("cuts a line longer than the bound into pieces", async () => {
    expect(await lines(4, "abcdefghij", "k\nend\n")).toEqual(["abcd", "efgh", "ijk", "end"]);
    expect(await lines(4, "€€€\n")).toEqual(["€", "€", "€"]);
  });
});
