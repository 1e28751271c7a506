// The exec client against the real simulator over a real socket, reached the way meshsync reaches a
// cluster (a ClusterConnection's client): interactive shells, one-shot commands, exit codes, the
// refusals as KubeApiErrors; and a server of our own that shows the kubeconfig's credentials reach
// the WebSocket handshake.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject, RunningSimulator } from "@meshsync/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ClusterConnection } from "../../src/kube/connect.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { KubeHttpClient } from "../../src/kube/http-client.js";
import { type ExecOutput, openPodExec, type PodExecSession } from "../../src/kube/pod-exec.js";
import { connectedSimulator } from "./sim-connection.js";

function pod(name: string, phase: string, containers: string[]): KubeObject {
  const running = phase === "Running";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: "node-a", containers: containers.map((c) => ({ name: c, image: "busybox" })) },
    status: {
      phase,
      containerStatuses: containers.map((c) => ({
        name: c,
        ready: running,
        restartCount: 0,
        image: "busybox",
        state: running
          ? { running: { startedAt: "2025-01-01T00:00:00Z" } }
          : { waiting: { reason: "ContainerCreating" } },
      })),
    },
  };
}

async function collect(session: PodExecSession): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  for await (const chunk of session) out[chunk.stream] += chunk.data.toString("utf8");
  return out;
}

describe("pod exec through a cluster connection", () => {
  let sim: RunningSimulator;
  let connection: ClusterConnection;

  beforeAll(async () => {
    ({ sim, connection } = await connectedSimulator({
      scenario: "empty",
      controllers: false,
      objects: [pod("box", "Running", ["main"]), pod("starting", "Pending", ["main"])],
    }));
  });
  afterAll(async () => {
    await sim.close();
  });

  it("runs an interactive shell: output as it comes, then the exit code", async () => {
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["sh"],
    });
    expect(session.protocol).toBe("v5.channel.k8s.io");
    const output = collect(session);
    expect(session.write("echo hello from meshsync\n")).toBe(true);
    expect(session.write("nosuch\n")).toBe(true);
    session.write("exit 9\n");
    expect(await session.done).toEqual({
      exitCode: 9,
      message: "command terminated with non-zero exit code: command terminated with exit code 9",
    });
    expect(await output).toEqual({ stdout: "hello from meshsync\n", stderr: "sh: 2: nosuch: not found\n" });
    expect(session.write("late\n")).toBe(false);
  });

  it("ends a shell by closing stdin, with exit code 0", async () => {
    const chunks: ExecOutput[] = [];
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["sh"],
      onOutput: (chunk) => chunks.push(chunk),
    });
    session.write("hostname\n");
    session.closeStdin();
    expect(await session.done).toEqual({ exitCode: 0, message: undefined });
    expect(Buffer.concat(chunks.map((chunk) => chunk.data)).toString()).toBe("box\n");
  });

  it("runs a one-shot command", async () => {
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["echo", "one", "shot"],
      stdin: false,
    });
    const [output, result] = await Promise.all([collect(session), session.done]);
    expect(output).toEqual({ stdout: "one shot\n", stderr: "" });
    expect(result.exitCode).toBe(0);
  });

  it("runs a tty session with a terminal size", async () => {
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["sh"],
      tty: true,
      terminalSize: { width: 100, height: 30 },
    });
    const output = collect(session);
    session.write("stty size\r");
    session.resize({ width: 120, height: 50 });
    session.write("stty size\rexit\r");
    expect((await session.done).exitCode).toBe(0);
    expect((await output).stdout).toBe("# stty size\r\n30 100\r\n# stty size\r\n50 120\r\n# exit\r\n");
  });

  it("rejects a missing pod and a wrong container with the server's Status", async () => {
    const missing = await openPodExec(connection.client, {
      namespace: "default",
      pod: "ghost",
      command: ["ls"],
    }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(missing).toMatchObject({ status: 404, reason: "NotFound", message: 'pods "ghost" not found' });
    const wrong = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      container: "nope",
      command: ["ls"],
    }).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ status: 400, message: "container nope is not valid for pod box" });
  });

  it("rejects `done` with the server's failure when the container is not running", async () => {
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "starting",
      command: ["ls"],
    });
    await expect(session.done).rejects.toMatchObject({
      status: 500,
      reason: "InternalError",
      message: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
    });
    await expect(collect(session)).rejects.toBeInstanceOf(KubeApiError);
  });

  it("closes from our side and on abort", async () => {
    const session = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["sh"],
    });
    session.close();
    await expect(session.done).rejects.toThrow("closed before the command ended");
    const controller = new AbortController();
    const aborted = await openPodExec(connection.client, {
      namespace: "default",
      pod: "box",
      command: ["sh"],
      signal: controller.signal,
    });
    controller.abort(new Error("user left"));
    await expect(aborted.done).rejects.toThrow("user left");
  });

  it("refuses a command it must not send", async () => {
    await expect(
      openPodExec(connection.client, { namespace: "default", pod: "box", command: [] }),
    ).rejects.toThrow("a command needs 1 to 1024 parts");
    await expect(
      openPodExec(connection.client, { namespace: "a/b", pod: "box", command: ["ls"] }),
    ).rejects.toThrow("invalid namespace name");
  });
});

describe("pod exec credentials", () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((_req, res) => res.end());
  let url: string;

  beforeAll(async () => {
    // Records each upgrade request and refuses it as an API server refuses a user it does not allow.
    server.on("upgrade", (req, socket) => {
      seen.push(req.headers);
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'pods "box" is forbidden: User "robot" cannot create resource "pods/exec"',
        reason: "Forbidden",
        code: 403,
      });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("sends the kubeconfig's token and impersonation with the handshake and reads the refusal", async () => {
    const config = new KubeConfig();
    config.loadFromString(
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "u", user: { token: "secret-token", as: "robot" } }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    );
    const client = new KubeHttpClient(config);
    const error = await openPodExec(client, { namespace: "default", pod: "box", command: ["ls"] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ status: 403, reason: "Forbidden" });
    expect(seen[0]?.authorization).toBe("Bearer secret-token");
    expect(seen[0]?.["impersonate-user"]).toBe("robot");
    expect(seen[0]?.["sec-websocket-protocol"]).toBe("v5.channel.k8s.io,v4.channel.k8s.io");
  });
});
