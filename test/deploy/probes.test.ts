// deploy/meshsync.yaml's Deployment: its probes and the image's HEALTHCHECK asked of a real
// `meshsync serve`, started with the Deployment's own arguments and environment (only the bind
// changed to a free loopback port): they must answer as the kubelet and Docker count success,
// without a token, which neither sends. And the file as `kubectl apply -f deploy/meshsync.yaml` reads it.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";
import { type RawAnswer, rawRequest } from "../support/raw-http.js";
import { finalStage, healthCheckCommand, readDockerfile } from "./dockerfile.js";
import { type Container, deployDir, deployment, objectIn, type Probe, withFlagValues } from "./manifests.js";

/** The layout applied on its own; deploy/ holds others, each applied by its own commands. */
const single = "meshsync.yaml";

const container: Container = objectIn(single, "Deployment", deployment, "meshsync").spec.template.spec
  .containers[0]!;

/** GET as the kubelet sends it: to the pod's IP and port, no credentials, its own user agent. */
function probeAnswer(port: number, probe: Probe): Promise<RawAnswer> {
  return rawRequest(`http://127.0.0.1:${port}${probe.httpGet.path}`, {
    headers: { host: `10.244.1.17:${port}`, "user-agent": "kube-probe/1.34", accept: "*/*" },
  });
}

/** The kubelet's rule for an HTTP probe. */
const succeeds = (status: number) => status >= 200 && status < 400;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function runHealthCheck(port: number): Promise<number | null> {
  const [program, ...args] = healthCheckCommand(finalStage(readDockerfile()));
  expect(program).toBe("node");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, MESHSYNC_PORT: String(port) },
      stdio: "ignore",
    });
    child.once("exit", resolve);
  });
}

describe("the Deployment's probes against a real meshsync serve", () => {
  let sim: RunningProcess;
  let serve: RunningProcess;
  let port: number;

  beforeAll(async () => {
    const kubeconfig = join(tempDir("meshsync-probes-"), "sim.kubeconfig");
    sim = await startMeshsync(["sim", "--port", "0", "--kubeconfig-out", kubeconfig]);
    await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
    // The pod reads MESHSYNC_TOKEN from a Secret: a non-loopback bind needs it, and the probes must
    // pass without it.
    const token = container.env.find((variable) => variable.name === "MESHSYNC_TOKEN");
    expect(token).toBeDefined();
    const args = withFlagValues(container.args, { "--host": "127.0.0.1", "--port": "0" });
    expect(args).not.toEqual(container.args);
    serve = await startMeshsync([...args, "--kubeconfig", kubeconfig], {
      MESHSYNC_TOKEN: "probe-test-token-0123456789",
    });
    port = Number(new URL(serve.origin).port);
  }, 90_000);

  afterAll(async () => {
    await serve?.stop();
    await sim?.stop();
  });

  it("the startup probe succeeds once serve listens", async () => {
    const answer = await probeAnswer(port, container.startupProbe!);
    expect(answer.status, answer.body).toBe(200);
  });

  it("the liveness probe succeeds", async () => {
    const answer = await probeAnswer(port, container.livenessProbe!);
    expect(answer.status, answer.body).toBe(200);
  });

  it("the readiness probe answers a status, not a refusal, and succeeds once the cluster is synced", async () => {
    const first = await probeAnswer(port, container.readinessProbe!);
    expect([200, 503], first.body).toContain(first.status);
    await eventually(
      async () => succeeds((await probeAnswer(port, container.readinessProbe!)).status),
      30_000,
      "ready",
    );
    const ready = await probeAnswer(port, container.readinessProbe!);
    expect(JSON.parse(ready.body)).toMatchObject({ status: "ready" });
  });

  it("a path the probes do not use is not found, so the probes' paths are real routes", async () => {
    const answer = await probeAnswer(port, { httpGet: { path: "/healthz-not", port: "http" } });
    expect(answer.status).toBe(404);
  });

  it("the image's HEALTHCHECK passes against serve and fails where nothing listens", async () => {
    expect(await runHealthCheck(port)).toBe(0);
    expect(await runHealthCheck(await freePort())).toBe(1);
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
if (!hasKubectl) console.warn("kubectl is not installed: skipping kubectl's reading of deploy/meshsync.yaml");

describe.skipIf(!hasKubectl)("kubectl reads deploy/meshsync.yaml", () => {
  let sim: RunningProcess;
  let kubeconfig: string;

  beforeAll(async () => {
    const dir = tempDir("meshsync-kubectl-deploy-");
    kubeconfig = join(dir, "sim.kubeconfig");
    sim = await startMeshsync(["sim", "--port", "0", "--kubeconfig-out", kubeconfig]);
    await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it("applies every object in a client-side dry run against the simulator", () => {
    const dir = tempDir("meshsync-kubectl-cache-");
    const applied = spawnSync(
      "kubectl",
      [
        "--kubeconfig",
        kubeconfig,
        "--cache-dir",
        dir,
        "apply",
        "--dry-run=client",
        "--validate=false",
        "-f",
        join(deployDir, single),
        "-o",
        "name",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    expect(applied.stdout.trim().split("\n").sort()).toEqual(
      [
        "clusterrole.rbac.authorization.k8s.io/meshsync-reader",
        "clusterrolebinding.rbac.authorization.k8s.io/meshsync-reader",
        "deployment.apps/meshsync",
        "namespace/meshery",
        "role.rbac.authorization.k8s.io/meshsync-leader-election",
        "rolebinding.rbac.authorization.k8s.io/meshsync-leader-election",
        "service/meshsync",
        "serviceaccount/meshsync",
      ].sort(),
    );
  });
});
