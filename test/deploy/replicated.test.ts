// deploy/replicated.yaml, the scaled-out layout: two watchers that elect a leader over a Lease and
// publish into NATS JetStream, gateways that serve from it behind the meshsync Service. Read as the
// API server and the kubelet would read it, its NATS configuration run by a real nats-server, its
// arguments checked against what `meshsync serve --help` lists, and the README's commands for it
// run by kubectl against the simulator.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlWith } from "../support/kubectl.js";
import { natsServerMissing, natsServerPath } from "../support/nats-server.js";
import { type RunningProcess, runMeshsync, startMeshsync, tempDir } from "../support/processes.js";
import {
  binding,
  type Container,
  configMap,
  containerPortOf,
  fileObjects,
  flagValue,
  headlessService,
  horizontalPodAutoscaler,
  kubectlName,
  kubeObject,
  kubeObjects,
  networkPolicy,
  objectIn,
  type PodSpec,
  packageVersion,
  podDeployment,
  podDisruptionBudget,
  repoRoot,
  restrictedPodProblems,
  role,
  selects,
  service,
  serviceAccount,
  statefulSet,
} from "./manifests.js";

const file = "replicated.yaml";
const namespace = "meshery";

const watcher = () => objectIn(file, "Deployment", podDeployment, "meshsync-watcher");
const gateway = () => objectIn(file, "Deployment", podDeployment, "meshsync-gateway");
const nats = () => objectIn(file, "StatefulSet", statefulSet, "nats");
const containerOf = (workload: { spec: { template: { spec: PodSpec } } }) =>
  workload.spec.template.spec.containers[0]!;

const natsConfigFile = () => {
  const server = containerOf(nats());
  const configPath = flagValue(server.command, "--config");
  expect(configPath, `--config in ${server.command.join(" ")}`).toBeDefined();
  const mount = server.volumeMounts.find((candidate) => configPath!.startsWith(`${candidate.mountPath}/`));
  expect(mount, `a volume mounted where ${configPath} is`).toBeDefined();
  const volume = nats().spec.template.spec.volumes.find((candidate) => candidate.name === mount!.name);
  const source = (volume?.configMap as { name?: string } | undefined)?.name;
  expect(source, `volume ${mount!.name} is a ConfigMap`).toBeDefined();
  const key = configPath!.slice(mount!.mountPath.length + 1);
  const text = objectIn(file, "ConfigMap", configMap, source).data[key];
  expect(text, `ConfigMap ${source} has ${key}`).toBeDefined();
  return text!;
};

/** A top-level `name: value` of a nats-server configuration. */
function natsSetting(config: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*[:=]\\s*(\\S+)`, "m").exec(config)?.[1];
}

function jetStreamBlock(config: string): string | undefined {
  return /^jetstream\s*\{([^}]*)\}/m.exec(config)?.[1];
}

/** The Service a nats:// URL reaches, and the container port it targets on the NATS pods. */
function natsTarget(url: string | undefined): number | undefined {
  expect(url, "a NATS URL").toBeDefined();
  const { protocol, hostname, port } = new URL(url!);
  expect(protocol).toBe("nats:");
  const reached = objectIn(file, "Service", service, hostname);
  expect(selects(reached.spec.selector, nats().spec.template.metadata.labels), `Service ${hostname}`).toBe(
    true,
  );
  const servicePort = reached.spec.ports.find((candidate) => candidate.port === Number(port));
  expect(servicePort, `Service ${hostname} has port ${port}`).toBeDefined();
  return containerPortOf(containerOf(nats()), servicePort!.targetPort);
}

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

describe("deploy/replicated.yaml", () => {
  it("keeps every object in meshsync's namespace, reusing meshsync.yaml's Namespace and ClusterRole", () => {
    const objects = fileObjects(file);
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const clusterScoped = object.kind === "ClusterRoleBinding";
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(
        clusterScoped ? undefined : namespace,
      );
    }
    // Defined once, in meshsync.yaml, so that the two layouts read the cluster through the same rules.
    expect(objects.filter((object) => object.kind === "ClusterRole" || object.kind === "Namespace")).toEqual(
      [],
    );
    objectIn("meshsync.yaml", "Namespace", kubeObject, namespace);
    objectIn("meshsync.yaml", "ClusterRole", role, "meshsync-reader");
  });

  it("shares no object with meshsync.yaml but the meshsync Service it replaces", () => {
    // Any other shared kind and name would let applying one layout rewrite an object of the other,
    // e.g. widen or narrow the Role its pods elect a leader with.
    const identity = (object: { kind: string; metadata: { name: string; namespace?: string | undefined } }) =>
      `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
    const single = new Set(fileObjects("meshsync.yaml").map(identity));
    expect(single.size).toBeGreaterThan(0);
    expect(
      fileObjects(file)
        .map(identity)
        .filter((name) => single.has(name)),
    ).toEqual([`Service/${namespace}/meshsync`]);
  });

  it("runs two watchers that replicate into the NATS Service and elect a leader", () => {
    const deployment = watcher();
    const { args, env } = containerOf(deployment);
    expect(deployment.spec.replicas).toBe(2);
    expect(args[0]).toBe("serve");
    expect(args).toContain("--leader-elect");
    expect(natsTarget(flagValue(args, "--to-nats"))).toBe(Number(natsSetting(natsConfigFile(), "port")));
    // The holder identity is the pod, the Lease lives in the pod's namespace.
    expect(env.find((variable) => variable.name === "POD_NAME")).toMatchObject({
      valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
    });
    expect(env.find((variable) => variable.name === "POD_NAMESPACE")).toMatchObject({
      valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
    });
    expect(flagValue(args, "--lease-namespace") ?? deployment.metadata.namespace).toBe(namespace);
  });

  it("rolls the watchers out without ever running more of them than its replicas, and drains them one by one", () => {
    const deployment = watcher();
    expect(deployment.spec.strategy).toMatchObject({ type: "RollingUpdate", rollingUpdate: { maxSurge: 0 } });
    expect(deployment.spec.strategy?.rollingUpdate?.maxUnavailable).toBe(1);
    const budgets = fileObjects(file)
      .filter((object) => object.kind === "PodDisruptionBudget")
      .map((object) => podDisruptionBudget.parse(object))
      .filter((budget) =>
        selects(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      );
    expect(budgets).toHaveLength(1);
    const allowedDown =
      budgets[0]!.spec.maxUnavailable ?? deployment.spec.replicas! - Number(budgets[0]!.spec.minAvailable);
    expect(allowedDown).toBe(1);
  });

  it("grants the watchers exactly get, create and update on their one Lease, besides reading the cluster", () => {
    const lease = objectIn(file, "Role", role, "meshsync-watcher-leader-election");
    const deployment = watcher();
    const leaseName = flagValue(containerOf(deployment).args, "--lease-name");
    expect(leaseName, "the watchers name their Lease, which the Role names too").toBeDefined();
    expect(lease.metadata.namespace).toBe(deployment.metadata.namespace);
    for (const rule of lease.rules) {
      expect(rule.apiGroups).toEqual(["coordination.k8s.io"]);
      expect(rule.resources).toEqual(["leases"]);
      expect(rule.nonResourceURLs).toBeUndefined();
      // RBAC cannot name an object that does not exist yet: a create rule with resourceNames allows nothing.
      if (rule.verbs.includes("create")) expect(rule.resourceNames).toBeUndefined();
      else expect(rule.resourceNames).toEqual([leaseName]);
    }
    expect([...new Set(lease.rules.flatMap((rule) => rule.verbs))].sort()).toEqual([
      "create",
      "get",
      "update",
    ]);
    expect(lease.rules.find((rule) => rule.verbs.includes("create"))?.verbs).toEqual(["create"]);

    const account = deployment.spec.template.spec.serviceAccountName;
    expect(account).toBe(objectIn(file, "ServiceAccount", serviceAccount, account).metadata.name);
    const bound = fileObjects(file)
      .filter((object) => /^(Cluster)?RoleBinding$/.test(object.kind))
      .map((object) => binding.parse(object))
      .filter((candidate) =>
        candidate.subjects.some((subject) => subject.kind === "ServiceAccount" && subject.name === account),
      );
    expect(bound.map((candidate) => `${candidate.roleRef.kind}/${candidate.roleRef.name}`).sort()).toEqual([
      "ClusterRole/meshsync-reader",
      "Role/meshsync-watcher-leader-election",
    ]);
    for (const candidate of bound) {
      expect(candidate.subjects).toEqual([{ kind: "ServiceAccount", name: account, namespace }]);
      if (candidate.kind === "RoleBinding") expect(candidate.metadata.namespace).toBe(namespace);
    }
  });

  it("runs gateways from the NATS Service that hold no credential for the API server", () => {
    const deployment = gateway();
    const pod = deployment.spec.template.spec;
    const { args } = containerOf(deployment);
    expect(args[0]).toBe("serve");
    expect(natsTarget(flagValue(args, "--from-nats"))).toBe(Number(natsSetting(natsConfigFile(), "port")));
    expect(flagValue(args, "--max-lag")).toMatch(/^\d+(ms|s|m)$/);
    for (const excluded of [
      "--kubeconfig",
      "--context",
      "--all-contexts",
      "--sim",
      "--to-nats",
      "--leader-elect",
    ]) {
      expect(args, excluded).not.toContain(excluded);
    }
    expect(pod.serviceAccountName, "an account of its own, not the namespace's default").toBeDefined();
    const account = objectIn(file, "ServiceAccount", serviceAccount, pod.serviceAccountName);
    expect(account.automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).not.toBe(true);
    // Across every file of deploy/: no binding names the account, nor a group it belongs to.
    const groups = ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"];
    const granting = kubeObjects()
      .filter((object) => /^(Cluster)?RoleBinding$/.test(object.kind))
      .map((object) => binding.parse(object))
      .filter((candidate) =>
        candidate.subjects.some(
          (subject) =>
            (subject.kind === "ServiceAccount" && subject.name === account.metadata.name) ||
            (subject.kind === "Group" && groups.includes(subject.name)),
        ),
      );
    expect(granting.map((candidate) => `${candidate.kind}/${candidate.metadata.name}`)).toEqual([]);
  });

  it("serves clients through the meshsync Service on 8080, which selects the gateways alone", () => {
    const clients = objectIn(file, "Service", service, "meshsync");
    const served = gateway();
    expect(clients.spec.ports.map((port) => port.port)).toEqual([8080]);
    expect(selects(clients.spec.selector, served.spec.template.metadata.labels)).toBe(true);
    expect(selects(clients.spec.selector, watcher().spec.template.metadata.labels)).toBe(false);
    expect(selects(clients.spec.selector, nats().spec.template.metadata.labels)).toBe(false);
    const container = containerOf(served);
    expect(containerPortOf(container, clients.spec.ports[0]!.targetPort)).toBe(
      Number(flagValue(container.args, "--port")),
    );
  });

  it("scales the gateway Deployment on CPU, from 2 to 10, and leaves the count to the autoscaler", () => {
    const autoscaler = objectIn(file, "HorizontalPodAutoscaler", horizontalPodAutoscaler);
    expect(autoscaler.apiVersion).toBe("autoscaling/v2");
    const target = gateway();
    expect(autoscaler.spec.scaleTargetRef).toEqual({
      apiVersion: target.apiVersion,
      kind: target.kind,
      name: target.metadata.name,
    });
    expect([autoscaler.spec.minReplicas, autoscaler.spec.maxReplicas]).toEqual([2, 10]);
    expect(autoscaler.spec.metrics).toEqual([
      expect.objectContaining({
        type: "Resource",
        resource: expect.objectContaining({
          name: "cpu",
          target: expect.objectContaining({ type: "Utilization" }),
        }),
      }),
    ]);
    // Utilization is measured against the request; and a replicas field would undo the autoscaler on apply.
    expect(containerOf(target).resources?.requests?.cpu).toBeDefined();
    expect(target.spec.replicas).toBeUndefined();
  });

  it("lets only meshsync's pods reach NATS's client port", () => {
    const policy = objectIn(file, "NetworkPolicy", networkPolicy);
    expect(selects(policy.spec.podSelector.matchLabels, nats().spec.template.metadata.labels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    const admitted = policy.spec.ingress.flatMap((rule) =>
      rule.from.map((peer) => peer.podSelector.matchLabels),
    );
    expect(admitted).toHaveLength(2);
    for (const workload of [watcher(), gateway()]) {
      expect(admitted.some((labels) => selects(labels, workload.spec.template.metadata.labels))).toBe(true);
    }
    const ports = policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port));
    expect(ports.map((port) => containerPortOf(containerOf(nats()), port))).toEqual([
      Number(natsSetting(natsConfigFile(), "port")),
    ]);
  });

  it("keeps NATS's JetStream store on the pod's PersistentVolumeClaim, behind a headless Service", () => {
    const set = nats();
    const config = natsConfigFile();
    const jetstream = jetStreamBlock(config);
    expect(jetstream, "a jetstream { } block").toBeDefined();
    const storeDir = natsSetting(jetstream!.replace(/^\s+/gm, ""), "store_dir");
    const claims = set.spec.volumeClaimTemplates.map((claim) => claim.metadata.name);
    const mount = containerOf(set).volumeMounts.find((candidate) => candidate.mountPath === storeDir);
    expect(mount, `a volume mounted at ${storeDir}`).toBeDefined();
    expect(claims).toContain(mount!.name);
    expect(mount!.readOnly).not.toBe(true);
    expect(containerOf(set).image).toBe("nats:2.10-alpine");
    const governing = objectIn(file, "Service", headlessService, set.spec.serviceName);
    expect(governing.spec.clusterIP).toBe("None");
    expect(selects(governing.spec.selector, set.spec.template.metadata.labels)).toBe(true);
  });

  it("runs every container as the restricted Pod Security Standard asks, with resources and a bounded heap", () => {
    const pods: [string, PodSpec][] = [
      ["meshsync-watcher", watcher().spec.template.spec],
      ["meshsync-gateway", gateway().spec.template.spec],
      ["nats", nats().spec.template.spec],
    ];
    for (const [name, pod] of pods) {
      const container = pod.containers[0]!;
      expect(restrictedPodProblems(pod, container), name).toEqual([]);
      expect(Object.keys(container.resources?.requests ?? {}).sort(), name).toEqual(["cpu", "memory"]);
      expect(Object.keys(container.resources?.limits ?? {}).sort(), name).toEqual(["cpu", "memory"]);
      // The Services named meshsync and nats would put MESHSYNC_PORT=tcp://… into the environment.
      expect(pod.enableServiceLinks, name).toBe(false);
      const limit = /^(\d+)(Mi|Gi)$/.exec(String(container.resources?.limits?.memory ?? ""));
      const limitMiB = Number(limit?.[1]) * (limit?.[2] === "Gi" ? 1024 : 1);
      const heap = (variable: string, pattern: RegExp) =>
        Number(
          pattern.exec(String(container.env.find((entry) => entry.name === variable)?.value ?? ""))?.[1],
        );
      const heapMiB =
        name === "nats"
          ? heap("GOMEMLIMIT", /^(\d+)MiB$/)
          : heap("NODE_OPTIONS", /--max-old-space-size=(\d+)/);
      expect(heapMiB, `${name}'s heap bound`).toBeGreaterThan(0);
      expect(heapMiB, name).toBeLessThan(limitMiB * 0.9);
    }
  });

  it("runs this release's meshsync image, bound to all interfaces with the token from the Secret and probed as meshsync.yaml is", () => {
    for (const workload of [watcher(), gateway()]) {
      const container: Container = containerOf(workload);
      const name = workload.metadata.name;
      expect(container.image.split(":").at(-1), name).toBe(packageVersion());
      expect(flagValue(container.args, "--host"), name).toBe("0.0.0.0");
      expect(
        container.env.find((variable) => variable.name === "MESHSYNC_TOKEN"),
        name,
      ).toMatchObject({
        valueFrom: { secretKeyRef: { name: "meshsync-token", key: "token" } },
      });
      const { startupProbe, livenessProbe, readinessProbe } = container;
      expect(
        [startupProbe?.httpGet.path, livenessProbe?.httpGet.path, readinessProbe?.httpGet.path],
        name,
      ).toEqual(["/healthz", "/healthz", "/readyz"]);
      const listening = Number(flagValue(container.args, "--port"));
      for (const probe of [startupProbe!, livenessProbe!, readinessProbe!]) {
        expect(containerPortOf(container, probe.httpGet.port), name).toBe(listening);
      }
      expect(
        (startupProbe!.periodSeconds ?? 10) * (startupProbe!.failureThreshold ?? 3),
        name,
      ).toBeGreaterThanOrEqual(30);
    }
  });

  it("probes NATS on its monitoring port", () => {
    const server = containerOf(nats());
    const monitoring = Number(natsSetting(natsConfigFile(), "http_port"));
    for (const probe of [server.startupProbe, server.livenessProbe, server.readinessProbe]) {
      expect(probe?.httpGet.path).toMatch(/^\/healthz(\?|$)/);
      expect(containerPortOf(server, probe!.httpGet.port)).toBe(monitoring);
    }
    expect(server.livenessProbe?.httpGet.path).toBe("/healthz?js-enabled-only=true");
  });
});

describe("the replicated layout's arguments", () => {
  let listed: Set<string>;

  beforeAll(async () => {
    const help = await runMeshsync(["serve", "--help"]);
    expect(help.status, help.stderr).toBe(0);
    listed = new Set(
      [...help.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((match) => match[1]!),
    );
    expect(listed.has("--host"), help.stdout).toBe(true);
  }, 60_000);

  it("are flags `meshsync serve --help` lists, each in the watchers' and the gateways' args", () => {
    for (const workload of [watcher(), gateway()]) {
      const flags = containerOf(workload).args.filter((arg) => arg.startsWith("--"));
      expect(flags.length, workload.metadata.name).toBeGreaterThan(2);
      expect(
        flags.filter((flag) => !listed.has(flag)),
        workload.metadata.name,
      ).toEqual([]);
    }
  });
});

describe.skipIf(natsServerMissing !== undefined)("the NATS configuration, run by nats-server", () => {
  let server: ChildProcess;
  let log = "";
  let storeDir: string;
  let monitorPort: number;

  beforeAll(async () => {
    const config = natsConfigFile();
    const declared = natsSetting(jetStreamBlock(config)!.replace(/^\s+/gm, ""), "store_dir")!;
    // The volume's place on this machine; nats-server refuses a second store_dir from its flags.
    storeDir = tempDir("meshsync-nats-store-");
    const configFile = join(tempDir("meshsync-nats-config-"), "nats.conf");
    writeFileSync(
      configFile,
      config.replace(`store_dir: ${declared}`, `store_dir: ${JSON.stringify(storeDir)}`),
    );
    monitorPort = await freePort();
    const clientPort = await freePort();
    const serverEnv = Object.fromEntries(
      containerOf(nats())
        .env.filter((variable) => typeof variable.value === "string")
        .map((variable) => [variable.name, String(variable.value)]),
    );
    server = spawn(
      natsServerPath!,
      ["-c", configFile, "-a", "127.0.0.1", "-p", String(clientPort), "-m", String(monitorPort)],
      { env: { ...process.env, ...serverEnv, SERVER_NAME: "nats-0" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    server.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    server.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    await eventually(
      async () => {
        if (server.exitCode !== null) throw new Error(`nats-server exited (${server.exitCode}):\n${log}`);
        try {
          return (await fetch(`http://127.0.0.1:${monitorPort}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      15_000,
      "nats-server's /healthz on its monitoring port",
    );
  }, 30_000);

  afterAll(async () => {
    if (server === undefined || server.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once("exit", () => resolve());
      server.kill("SIGTERM");
    });
  });

  it("answers every probe of the StatefulSet as the kubelet counts success", async () => {
    const container = containerOf(nats());
    for (const probe of [container.startupProbe!, container.livenessProbe!, container.readinessProbe!]) {
      const answer = await fetch(`http://127.0.0.1:${monitorPort}${probe.httpGet.path}`);
      expect(answer.status, `${probe.httpGet.path}: ${await answer.text()}\n${log}`).toBeGreaterThanOrEqual(
        200,
      );
      expect(answer.status).toBeLessThan(400);
    }
  });

  it("runs JetStream, storing where the volume is mounted", async () => {
    const answer = await fetch(`http://127.0.0.1:${monitorPort}/jsz`);
    expect(answer.status).toBe(200);
    const jetstream = (await answer.json()) as { disabled?: boolean; config?: { store_dir?: string } };
    expect(jetstream.disabled, log).not.toBe(true);
    expect(jetstream.config?.store_dir?.startsWith(storeDir), JSON.stringify(jetstream)).toBe(true);
    expect(existsSync(jetstream.config!.store_dir!)).toBe(true);
  });
});

/** The `kubectl apply` lines of the README's section on this layout, split as a shell would split them. */
function readmeApplyCommands(): string[][] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Scaling out"));
  expect(section, "a README section on scaling out").toBeDefined();
  return section!
    .split("\n")
    .filter((line) => line.startsWith("kubectl apply "))
    .map((line) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!).slice(1));
}

const kubectlPresent = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;
if (!kubectlPresent)
  console.warn("kubectl is not installed: skipping kubectl's reading of the README's commands");

describe.skipIf(!kubectlPresent)("the README's commands for the replicated layout, run by kubectl", () => {
  let sim: RunningProcess;
  let kubeconfig: string;

  beforeAll(async () => {
    kubeconfig = join(tempDir("meshsync-kubectl-replicated-"), "sim.kubeconfig");
    sim = await startMeshsync(["sim", "--port", "0", "--kubeconfig-out", kubeconfig]);
    await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("apply meshsync.yaml's Namespace and RBAC but not its Deployment or Service, then every object of the layout", async () => {
    const commands = readmeApplyCommands();
    expect(commands).toHaveLength(2);
    const applied: string[][] = [];
    for (const args of commands) {
      const absolute = args.map((arg, index) => (args[index - 1] === "-f" ? join(repoRoot, arg) : arg));
      const output = await kubectlWith(
        kubeconfig,
        ...absolute,
        "--dry-run=client",
        "--validate=false",
        "-o",
        "name",
      );
      applied.push(output.trim().split("\n"));
    }
    const [shared, layout] = applied as [string[], string[]];
    expect(shared).toContain("namespace/meshery");
    expect(shared).toContain("clusterrole.rbac.authorization.k8s.io/meshsync-reader");
    expect(shared).not.toContain("deployment.apps/meshsync");
    expect(shared).not.toContain("service/meshsync");
    // Namespace first, then what lives in it.
    expect(shared[0]).toBe("namespace/meshery");
    expect([...layout].sort()).toEqual(fileObjects(file).map(kubectlName).sort());
  });
});
