// pods/exec over a real WebSocket: the remotecommand frames byte by byte (v5 and v4), the refusals
// before and after the upgrade, the scripted shell, the bounds; then kubectl and the official
// Python client, which must not tell the simulator from a real API server.
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { KubeObject, RunningSimulator } from "../src/index.js";
import { SimulatorServer } from "../src/server.js";
import { startEmpty } from "./sim-client.js";

function pod(name: string, phase: string, containers: string[], running = phase === "Running"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      nodeName: "node-a",
      containers: containers.map((c) => ({
        name: c,
        image: "busybox",
        env: [{ name: "GREETING", value: "hi there" }],
      })),
    },
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

const fixtures: KubeObject[] = [
  pod("box", "Running", ["main"]),
  pod("pair", "Running", ["app", "sidecar"]),
  pod("starting", "Pending", ["main"]),
  { ...pod("unscheduled", "Pending", ["main"]), spec: { containers: [{ name: "main", image: "busybox" }] } },
];

interface Frame {
  channel: number;
  data: Buffer;
}

interface Session {
  ws: WebSocket;
  protocol: string;
  frames: Frame[];
  closed: Promise<number>;
  send(channel: number, data: string | Buffer): void;
  /** Resolves when a frame on this channel has arrived whose text (all of that channel's) includes `text`. */
  waitFor(channel: number, text: string): Promise<void>;
}

function execPath(podName: string, params: string): string {
  return `/api/v1/namespaces/default/pods/${podName}/exec?${params}`;
}

function open(base: string, path: string, protocols: string[]): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, "ws") + path, protocols);
    const frames: Frame[] = [];
    const waiters: (() => void)[] = [];
    const closed = new Promise<number>((done) => ws.on("close", (code) => done(code)));
    ws.on("message", (data: Buffer) => {
      frames.push({ channel: data[0]!, data: data.subarray(1) });
      for (const wake of waiters.splice(0)) wake();
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => reject(Object.assign(new Error(body), { status: res.statusCode, body })));
    });
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        ws,
        protocol: ws.protocol,
        frames,
        closed,
        send: (channel, data) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
        waitFor: (channel, text) =>
          new Promise<void>((done, fail) => {
            const timer = setTimeout(
              () =>
                fail(
                  new Error(`no "${text}" on channel ${channel}: ${JSON.stringify(textOf(frames, channel))}`),
                ),
              5000,
            );
            const check = () => {
              if (textOf(frames, channel).includes(text)) {
                clearTimeout(timer);
                done();
              } else waiters.push(check);
            };
            check();
          }),
      }),
    );
  });
}

function textOf(frames: Frame[], channel: number): string {
  return Buffer.concat(frames.filter((f) => f.channel === channel).map((f) => f.data)).toString("utf8");
}

function statusOf(frames: Frame[]): Record<string, unknown> {
  return JSON.parse(textOf(frames, 3)) as Record<string, unknown>;
}

async function refusal(
  base: string,
  path: string,
  protocols: string[],
): Promise<{ status: number; body: string }> {
  try {
    const session = await open(base, path, protocols);
    session.ws.terminate();
    throw new Error("the upgrade was accepted");
  } catch (error) {
    const { status, body } = error as { status?: number; body?: string };
    if (status === undefined) throw error;
    return { status, body: body ?? "" };
  }
}

const V5 = "v5.channel.k8s.io";
const V4 = "v4.channel.k8s.io";

describe("pods/exec over WebSocket", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startEmpty({ objects: structuredClone(fixtures) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("runs a one-shot command on v5: an empty first frame, its output, a Success status, a close", async () => {
    const session = await open(sim.url, execPath("box", "command=echo&command=hi&stdout=true&stderr=true"), [
      V5,
      V4,
    ]);
    expect(session.protocol).toBe(V5);
    expect(await session.closed).toBe(1000);
    expect(session.frames[0]).toEqual({ channel: 1, data: Buffer.alloc(0) });
    expect(textOf(session.frames, 1)).toBe("hi\n");
    expect(statusOf(session.frames)).toEqual({ metadata: {}, status: "Success" });
  });

  it("reads an interactive shell's lines from stdin and ends with exit's code", async () => {
    const session = await open(sim.url, execPath("box", "command=sh&stdin=true&stdout=true&stderr=true"), [
      V5,
    ]);
    session.send(0, "echo $GREETING\nhostname\n");
    await session.waitFor(1, "hi there\nbox\n");
    session.send(0, "cat /etc/hostname; nosuch\nexit 7\n");
    expect(await session.closed).toBe(1000);
    expect(textOf(session.frames, 1)).toBe("hi there\nbox\nbox\n");
    expect(textOf(session.frames, 2)).toBe("sh: 3: nosuch: not found\n");
    expect(statusOf(session.frames)).toEqual({
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: command terminated with exit code 7",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    });
  });

  it("ends a shell when v5 closes stdin (channel 255), with the last command's status", async () => {
    const session = await open(sim.url, execPath("box", "command=sh&stdin=true&stdout=true&stderr=true"), [
      V5,
    ]);
    session.send(0, "unknown-thing\n");
    await session.waitFor(2, "not found");
    session.ws.send(Buffer.from([255, 0]));
    await session.closed;
    expect(statusOf(session.frames)).toMatchObject({
      reason: "NonZeroExitCode",
      details: { causes: [{ message: "127" }] },
    });
  });

  it("speaks v4 when that is all the client offers, with the kubelet's wording", async () => {
    const session = await open(
      sim.url,
      execPath("box", "command=sh&command=-c&command=exit%203&stdout=true"),
      [V4],
    );
    expect(session.protocol).toBe(V4);
    await session.closed;
    expect(statusOf(session.frames)).toMatchObject({
      status: "Failure",
      message:
        "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });

  it("runs a tty shell: prompts, echoes what is typed, and knows the terminal's size", async () => {
    const session = await open(
      sim.url,
      execPath("box", "command=sh&stdin=true&stdout=true&stderr=true&tty=true"),
      [V5],
    );
    await session.waitFor(1, "# ");
    session.send(4, JSON.stringify({ Width: 132, Height: 40 }));
    session.send(0, "stty size\r");
    await session.waitFor(1, "40 132\r\n# ");
    session.send(0, "\u0004");
    await session.closed;
    expect(textOf(session.frames, 1)).toBe("# stty size\r\n40 132\r\n# exit\r\n");
    expect(session.frames.some((frame) => frame.channel === 2)).toBe(false);
    expect(statusOf(session.frames)).toEqual({ metadata: {}, status: "Success" });
  });

  it("reports a program that does not exist as the runtime does, after the upgrade", async () => {
    const session = await open(sim.url, execPath("box", "command=nosuch&stdout=true"), [V5]);
    await session.closed;
    const status = statusOf(session.frames);
    expect(status).toMatchObject({ status: "Failure", reason: "InternalError", code: 500 });
    expect(String(status.message)).toContain('exec: "nosuch": executable file not found in $PATH');
  });

  it("refuses before the upgrade as the API server does", async () => {
    const missing = await refusal(sim.url, execPath("ghost", "command=ls&stdout=true"), [V5]);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      kind: "Status",
      reason: "NotFound",
      message: 'pods "ghost" not found',
    });
    const wrong = await refusal(sim.url, execPath("box", "command=ls&stdout=true&container=nope"), [V5]);
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body).message).toBe("container nope is not valid for pod box");
    const ambiguous = await refusal(sim.url, execPath("pair", "command=ls&stdout=true"), [V5]);
    expect(JSON.parse(ambiguous.body).message).toBe(
      "a container name must be specified for pod pair, choose one of: [app sidecar]",
    );
    const noHost = await refusal(sim.url, execPath("unscheduled", "command=ls&stdout=true"), [V5]);
    expect(JSON.parse(noHost.body).message).toBe("pod unscheduled does not have a host assigned");
    const noStreams = await refusal(sim.url, execPath("box", "command=ls"), [V5]);
    expect(JSON.parse(noStreams.body).message).toBe("you must specify at least 1 of stdin, stdout, stderr");
    const noProtocol = await refusal(sim.url, execPath("box", "command=ls&stdout=true"), [
      "channel.k8s.io.bogus",
    ]);
    expect(noProtocol.status).toBe(403);
  });

  it("answers a plain request to exec with 400 Upgrade request required", async () => {
    const response = await fetch(`${sim.url}${execPath("box", "command=ls&stdout=true")}`, {
      method: "POST",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe("Upgrade request required");
    const gone = await fetch(`${sim.url}${execPath("ghost", "command=ls")}`, { method: "POST" });
    expect(gone.status).toBe(404);
  });

  it("cannot reach a container that is not running: v5 says so on channel 3, v4 as the kubelet's 500", async () => {
    const session = await open(sim.url, execPath("starting", "command=ls&stdout=true"), [V5]);
    await session.closed;
    expect(statusOf(session.frames)).toMatchObject({
      status: "Failure",
      code: 500,
      reason: "InternalError",
      message: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
    });
    const v4 = await refusal(sim.url, execPath("starting", "command=ls&stdout=true"), [V4]);
    expect(v4).toEqual({ status: 500, body: 'container not found ("main")\n' });
  });

  it("still answers other upgrade requests as plain requests", async () => {
    const watchLike = await refusal(sim.url, "/api/v1/namespaces/default/pods/box", [V5]);
    expect(watchLike.status).toBe(200);
    expect(JSON.parse(watchLike.body)).toMatchObject({ kind: "Pod", metadata: { name: "box" } });
  });
});

describe("pods/exec bounds", () => {
  let server: SimulatorServer;
  let url: string;

  beforeAll(async () => {
    server = new SimulatorServer({ execLimits: { maxSessions: 2, idleTimeoutMs: 300, maxLineBytes: 64 } });
    server.load(structuredClone(fixtures));
    url = await server.listen(0, "127.0.0.1");
  });
  afterAll(async () => {
    await server.close();
  });

  it("ends an idle session, refuses sessions past the limit, and drops an over-long line", async () => {
    const first = await open(url, execPath("box", "command=sh&stdin=true&stdout=true&stderr=true"), [V5]);
    const second = await open(url, execPath("box", "command=sh&stdin=true&stdout=true&stderr=true"), [V5]);
    const third = await refusal(url, execPath("box", "command=sh&stdin=true&stdout=true"), [V5]);
    expect(third.status).toBe(429);
    second.send(0, `echo ${"x".repeat(100)}\n`);
    await second.waitFor(2, "line longer than 64 bytes");
    expect(textOf(second.frames, 1)).toBe("");
    await Promise.all([first.closed, second.closed]);
    expect(statusOf(first.frames)).toMatchObject({
      status: "Failure",
      message: expect.stringContaining("no input for"),
    });
    await vi.waitFor(() => expect(server.exec.openCount).toBe(0));
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: skipping the kubectl exec tests");

describe.skipIf(!hasKubectl)("kubectl exec against the simulator", () => {
  let sim: RunningSimulator;
  let dir: string;

  beforeAll(async () => {
    sim = await startEmpty({ objects: structuredClone(fixtures) });
    dir = mkdtempSync(join(tmpdir(), "sim-kubectl-exec-"));
    writeFileSync(join(dir, "kubeconfig"), sim.kubeconfig());
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function kubectl(
    args: string[],
    stdin?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const base = ["--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", mkdtempSync(join(dir, "cache-"))];
    return new Promise((resolve) => {
      const child = spawn("kubectl", [...base, ...args], {
        stdio: ["pipe", "pipe", "pipe"],
        timeout: 20_000,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin ?? "");
    });
  }

  it("runs a command and prints its output", async () => {
    expect(await kubectl(["exec", "box", "--", "echo", "hi"])).toEqual({
      code: 0,
      stdout: "hi\n",
      stderr: "",
    });
  });

  it("pipes stdin to a shell and exits with the shell's exit code", async () => {
    const result = await kubectl(["exec", "-i", "box", "--", "sh"], "echo one\npwd\nmissing\nexit 4\n");
    expect(result.stdout).toBe("one\n/\n");
    expect(result.stderr).toContain("sh: 3: missing: not found");
    expect(result.stderr).toContain("command terminated with exit code 4");
    expect(result.code).toBe(4);
  });

  it("ends a shell when piped stdin ends", async () => {
    const result = await kubectl(["exec", "-i", "box", "--", "sh"], "whoami\n");
    expect(result).toEqual({ code: 0, stdout: "root\n", stderr: "" });
  });

  it("shows the server's refusals", async () => {
    const wrong = await kubectl(["exec", "box", "-c", "nope", "--", "ls"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("container nope is not valid for pod box");
    const pending = await kubectl(["exec", "starting", "--", "ls"]);
    expect(pending.code).not.toBe(0);
    expect(pending.stderr).toContain('container not found ("main")');
  });
});

const python = "/usr/bin/python3";
const hasPython = spawnSync(python, ["-c", "import kubernetes.stream"], { stdio: "ignore" }).status === 0;
if (!hasPython) console.warn(`${python} cannot import kubernetes.stream: skipping the Python exec test`);

describe.skipIf(!hasPython)("the official Python client's exec against the simulator", () => {
  let sim: RunningSimulator;
  let dir: string;

  beforeAll(async () => {
    sim = await startEmpty({ objects: structuredClone(fixtures) });
    dir = mkdtempSync(join(tmpdir(), "sim-python-exec-"));
    writeFileSync(join(dir, "kubeconfig"), sim.kubeconfig());
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a command through kubernetes.stream and reads its exit code", async () => {
    const script = `
import json, sys
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()
out = stream(core.connect_get_namespaced_pod_exec, "box", "default", command=["hostname"],
             stderr=True, stdin=False, stdout=True, tty=False)
resp = stream(core.connect_get_namespaced_pod_exec, "box", "default", command=["sh", "-c", "echo $GREETING; exit 6"],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=10)
print(json.dumps({"hostname": out, "stdout": resp.read_stdout(), "code": resp.returncode}))
`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(python, ["-c", script, join(dir, "kubeconfig")], { timeout: 30_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual({ hostname: "box\n", stdout: "hi there\n", code: 6 });
  });
});
