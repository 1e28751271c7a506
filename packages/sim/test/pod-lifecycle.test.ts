// The simulator's scheduler, kubelets and workload controllers, over HTTP and the watch stream as a
// client sees them: a pod a client creates is bound, accepted and started, each step an event.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { startSimulator } from "../src/index.js";
import { get, request, type WatchEvent, WatchReader } from "./sim-client.js";

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);

const podsPath = "/api/v1/namespaces/default/pods";
const deploymentsPath = "/apis/apps/v1/namespaces/default/deployments";

function pod(name: string, spec: Json = {}): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "web", image: "nginx" }], ...spec },
  };
}

function statusOf(event: WatchEvent): Json {
  return asRecord(event.object.status);
}

function conditionsOf(status: Json): Record<string, string> {
  return Object.fromEntries(asList(status.conditions).map((c) => [String(c.type), String(c.status)]));
}

/** Reads the watch until a pod event passes `done`, and returns every event up to it. */
async function watchUntil(reader: WatchReader, done: (event: WatchEvent) => boolean): Promise<WatchEvent[]> {
  let events: WatchEvent[] = [];
  await eventually(
    async () => {
      events = await reader.next(reader.received.length + 1, 500);
      return events.some(done);
    },
    10_000,
    "the awaited watch event",
  );
  return events.slice(0, events.findIndex(done) + 1);
}

describe("pods a client creates", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: "demo" });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("are bound to a Ready worker, accepted, then Running and Ready, each step a watch event", async () => {
    const created = await request(sim, "POST", podsPath, pod("hello"));
    expect(created.status).toBe(201);
    expect(created.body.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
    const since = String(asRecord(created.body.metadata).resourceVersion);
    const reader = await WatchReader.open(
      sim,
      `${podsPath}?watch=1&resourceVersion=${since}&fieldSelector=metadata.name%3Dhello`,
    );
    const events = await watchUntil(reader, (event) => statusOf(event).phase === "Running");
    reader.close();
    expect(events.map((event) => event.type)).toEqual(["MODIFIED", "MODIFIED", "MODIFIED"]);
    const versions = events.map((event) => Number(event.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(3);

    // The scheduler's binding: a node, and PodScheduled.
    const [bound, accepted, running] = events as [WatchEvent, WatchEvent, WatchEvent];
    const nodeName = String(asRecord(bound.object.spec).nodeName);
    const node = await get(sim, `/api/v1/nodes/${nodeName}`);
    expect(node.status).toBe(200);
    expect(
      asRecord(asRecord(node.body.metadata).labels)["node-role.kubernetes.io/control-plane"],
    ).toBeUndefined();
    expect(conditionsOf(statusOf(bound))).toEqual({ PodScheduled: "True" });

    // The kubelet took it: on the node's address, containers being created.
    const pending = statusOf(accepted);
    const nodeIp = asList(asRecord(node.body.status).addresses).find((a) => a.type === "InternalIP")?.address;
    expect(pending).toMatchObject({
      phase: "Pending",
      hostIP: nodeIp,
      hostIPs: [{ ip: nodeIp }],
      qosClass: "BestEffort",
    });
    expect(typeof pending.startTime).toBe("string");
    expect(asList(pending.conditions).map((c) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=False",
      "Initialized=True",
      "Ready=False",
      "ContainersReady=False",
      "PodScheduled=True",
    ]);
    expect(asList(pending.containerStatuses)).toEqual([
      expect.objectContaining({
        name: "web",
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: "ContainerCreating" } },
      }),
    ]);

    // Running: every condition True with a transition time, the container running with its ids.
    const status = statusOf(running);
    expect(status.phase).toBe("Running");
    expect(status.startTime).toBe(pending.startTime);
    expect(asList(status.conditions).map((c) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    for (const condition of asList(status.conditions))
      expect(String(condition.lastTransitionTime)).toMatch(/Z$/);
    const podCidr = String(asRecord(node.body.spec).podCIDR);
    expect(String(status.podIP).startsWith(podCidr.slice(0, podCidr.lastIndexOf(".") + 1))).toBe(true);
    expect(status.podIPs).toEqual([{ ip: status.podIP }]);
    const [container] = asList(status.containerStatuses);
    expect(container).toMatchObject({
      name: "web",
      ready: true,
      started: true,
      restartCount: 0,
      image: "docker.io/library/nginx:latest",
    });
    expect(String(container?.imageID)).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(String(container?.containerID)).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(String(asRecord(asRecord(container?.state).running).startedAt)).toMatch(/Z$/);
  });

  it("take the class their resources give them and keep a node they name", async () => {
    const resources = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } };
    const created = await request(
      sim,
      "POST",
      podsPath,
      pod("pinned", {
        nodeName: "sim-worker2",
        containers: [{ name: "web", image: "nginx:1.27", resources }],
      }),
    );
    expect(asRecord(created.body.status).qosClass).toBe("Guaranteed");
    await eventually(
      async () => asRecord((await get(sim, `${podsPath}/pinned`)).body.status).phase === "Running",
      10_000,
      "the pinned pod running",
    );
    const running = await get(sim, `${podsPath}/pinned`);
    expect(asRecord(running.body.spec).nodeName).toBe("sim-worker2");
  });

  it("stay Pending on a node no kubelet runs, while the same kubelet step runs pods on real nodes", async () => {
    await request(sim, "POST", podsPath, pod("orphan", { nodeName: "no-such-node" }));
    await request(sim, "POST", podsPath, pod("witness", { nodeName: "sim-worker" }));
    await eventually(
      async () => asRecord((await get(sim, `${podsPath}/witness`)).body.status).phase === "Running",
      10_000,
      "the witness pod running",
    );
    // The witness went through the same kubelet step, scheduled at the same moment, and further.
    const orphan = await get(sim, `${podsPath}/orphan`);
    expect(orphan.body.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("of a Deployment get a ReplicaSet, run, and count as ready and available; scaling follows", async () => {
    const labels = { app: "web" };
    const created = await request(sim, "POST", deploymentsPath, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
      },
    });
    expect(created.status).toBe(201);
    const available = async (replicas: number) => {
      const status = asRecord((await get(sim, `${deploymentsPath}/web`)).body.status);
      return (
        status.availableReplicas === replicas &&
        status.replicas === replicas &&
        conditionsOf(status).Available === "True"
      );
    };
    await eventually(() => available(2), 10_000, "the deployment available with 2 replicas");
    const deployment = (await get(sim, `${deploymentsPath}/web`)).body;
    expect(asRecord(deployment.status)).toMatchObject({
      observedGeneration: 1,
      readyReplicas: 2,
      updatedReplicas: 2,
    });
    expect(asRecord(asRecord(deployment.metadata).annotations)["deployment.kubernetes.io/revision"]).toBe(
      "1",
    );
    const sets = asList(
      (await get(sim, "/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb")).body.items,
    );
    expect(sets).toHaveLength(1);
    const replicaSet = sets[0] ?? {};
    const hash = asRecord(asRecord(replicaSet.metadata).labels)["pod-template-hash"];
    expect(asRecord(replicaSet.metadata).name).toBe(`web-${String(hash)}`);
    expect(asList(asRecord(replicaSet.metadata).ownerReferences)[0]).toMatchObject({
      kind: "Deployment",
      name: "web",
      controller: true,
    });
    const pods = asList((await get(sim, `${podsPath}?labelSelector=app%3Dweb`)).body.items);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(String(asRecord(p.metadata).name)).toMatch(new RegExp(`^web-${String(hash)}-[a-z0-9]{5}$`));
      expect(asRecord(p.status).phase).toBe("Running");
    }

    const scaled = await request(
      sim,
      "PATCH",
      `${deploymentsPath}/web`,
      { spec: { replicas: 1 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(scaled.status).toBe(200);
    await eventually(() => available(1), 10_000, "the deployment scaled to 1");
    expect(asList((await get(sim, `${podsPath}?labelSelector=app%3Dweb`)).body.items)).toHaveLength(1);
    expect(asRecord((await get(sim, `${deploymentsPath}/web`)).body.status).observedGeneration).toBe(2);
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: skipping kubectl run and kubectl wait");

describe.skipIf(!hasKubectl)("kubectl run and kubectl create deployment", () => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: "demo" });
    dir = mkdtempSync(join(tmpdir(), "sim-kubelet-"));
    writeFileSync(join(dir, "kubeconfig"), sim.kubeconfig());
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function kubectl(...args: string[]): Promise<string> {
    const base = ["--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", mkdtempSync(join(dir, "cache-"))];
    return new Promise((resolve, reject) => {
      execFile("kubectl", [...base, ...args], { timeout: 40_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(" ")} failed: ${stderr}`));
        else resolve(stdout);
      });
    });
  }

  it("runs a pod until kubectl wait sees it Ready, on a node, with an IP", async () => {
    expect(await kubectl("run", "probe", "--image=busybox:1.36", "--", "sleep", "3600")).toContain(
      "pod/probe created",
    );
    expect(await kubectl("wait", "--for=condition=Ready", "pod/probe", "--timeout=30s")).toContain(
      "pod/probe condition met",
    );
    const wide = await kubectl("get", "pod", "probe", "-o", "wide", "--no-headers");
    expect(wide).toMatch(/^probe\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+sim-worker2?\s/);
  });

  it("rolls a created deployment out until it is Available", async () => {
    expect(await kubectl("create", "deployment", "hello", "--image=nginx:1.27", "--replicas=3")).toContain(
      "deployment.apps/hello created",
    );
    expect(await kubectl("rollout", "status", "deployment/hello", "--timeout=30s")).toContain(
      'deployment "hello" successfully rolled out',
    );
    expect(await kubectl("wait", "--for=condition=Available", "deployment/hello", "--timeout=30s")).toContain(
      "deployment.apps/hello condition met",
    );
    const table = await kubectl("get", "deployment", "hello", "--no-headers");
    expect(table).toMatch(/^hello\s+3\/3\s+3\s+3\s/);
    const pods = await kubectl("get", "pods", "-l", "app=hello", "--no-headers");
    expect(
      pods
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/).slice(1, 3).join(" ")),
    ).toEqual(["1/1 Running", "1/1 Running", "1/1 Running"]);
  });
});
