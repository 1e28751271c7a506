import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinResourceTypes } from "../src/catalog.js";
import type { KubeObject } from "../src/object-api.js";
import { generateScenario, scenarioNames, sizes } from "../src/scenarios/index.js";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timePattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);
const str = (value: unknown): string => (typeof value === "string" ? value : "");

const namespacedByKind = new Map(
  builtinResourceTypes.map((t) => [`${t.group ? `${t.group}/` : ""}${t.version}/${t.kind}`, t.namespaced]),
);

function index(objects: KubeObject[]) {
  const byUid = new Map<string, KubeObject>();
  const byKey = new Map<string, KubeObject>();
  for (const o of objects) {
    byUid.set(o.metadata?.uid ?? "", o);
    byKey.set(`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`, o);
  }
  const find = (kind: string, namespace: string | undefined, name: string) =>
    byKey.get(`${kind}/${namespace ?? ""}/${name}`);
  return { byUid, byKey, find };
}

const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

/** Every broken link in a cluster, as readable lines (empty when the cluster is consistent). */
function integrityProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const { byUid, byKey, find } = index(objects);
  if (byUid.size !== objects.length) problems.push("uids are not unique");
  if (byKey.size !== objects.length) problems.push("kind/namespace/name is not unique");
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    const namespaced = namespacedByKind.get(`${o.apiVersion}/${o.kind}`);
    if (namespaced === undefined) problems.push(`${where}: ${o.apiVersion} ${o.kind} is not a served type`);
    if (!uuidPattern.test(o.metadata?.uid ?? "")) problems.push(`${where}: uid is not a UUID`);
    if (!timePattern.test(o.metadata?.creationTimestamp ?? ""))
      problems.push(`${where}: bad creationTimestamp`);
    if (namespaced && !find("Namespace", undefined, o.metadata?.namespace ?? "")) {
      problems.push(`${where}: namespace does not exist`);
    }
    if (namespaced === false && o.metadata?.namespace !== undefined)
      problems.push(`${where}: cluster-scoped with a namespace`);
    for (const ref of o.metadata?.ownerReferences ?? []) {
      const owner = byUid.get(ref.uid);
      if (!owner) problems.push(`${where}: owner ${ref.kind} ${ref.name} (${ref.uid}) does not exist`);
      else if (
        owner.kind !== ref.kind ||
        owner.metadata?.name !== ref.name ||
        owner.apiVersion !== ref.apiVersion
      ) {
        problems.push(`${where}: owner reference does not describe its owner`);
      }
    }
  }
  for (const pod of ofKind(objects, "Pod")) {
    const spec = asRecord(pod.spec);
    const ns = pod.metadata?.namespace;
    const where = `Pod ${ns}/${pod.metadata?.name}`;
    if (!find("Node", undefined, str(spec.nodeName)))
      problems.push(`${where}: node ${str(spec.nodeName)} missing`);
    const account = str(spec.serviceAccountName);
    if (account && !find("ServiceAccount", ns, account))
      problems.push(`${where}: service account ${account} missing`);
    for (const volume of asList(spec.volumes)) {
      const claim = str(asRecord(volume.persistentVolumeClaim).claimName);
      if (claim && !find("PersistentVolumeClaim", ns, claim))
        problems.push(`${where}: claim ${claim} missing`);
      const secret = str(asRecord(volume.secret).secretName);
      if (secret && !find("Secret", ns, secret)) problems.push(`${where}: secret ${secret} missing`);
    }
    for (const c of asList(spec.containers)) {
      for (const from of asList(c.envFrom)) {
        const cm = str(asRecord(from.configMapRef).name);
        if (cm && !find("ConfigMap", ns, cm)) problems.push(`${where}: configmap ${cm} missing`);
      }
    }
  }
  for (const slice of ofKind(objects, "EndpointSlice")) {
    const ns = slice.metadata?.namespace;
    const service = slice.metadata?.labels?.["kubernetes.io/service-name"] ?? "";
    if (!find("Service", ns, service))
      problems.push(`EndpointSlice ${slice.metadata?.name}: service ${service} missing`);
    for (const endpoint of asList(slice.endpoints)) {
      const ref = asRecord(endpoint.targetRef);
      if (!ref.uid) continue;
      const pod = byUid.get(str(ref.uid));
      if (!pod || pod.metadata?.name !== ref.name) {
        problems.push(`EndpointSlice ${slice.metadata?.name}: target ${str(ref.name)} missing`);
      } else if ((endpoint.addresses as unknown[])[0] !== asRecord(pod.status).podIP) {
        problems.push(`EndpointSlice ${slice.metadata?.name}: address is not the pod's IP`);
      }
    }
  }
  for (const event of ofKind(objects, "Event")) {
    const involved = asRecord(event.involvedObject);
    const subject = byUid.get(str(involved.uid));
    if (!subject || subject.kind !== involved.kind || subject.metadata?.name !== involved.name) {
      problems.push(`Event ${event.metadata?.name}: involved object missing`);
    }
  }
  for (const volume of ofKind(objects, "PersistentVolume")) {
    const claimRef = asRecord(asRecord(volume.spec).claimRef);
    const claim = byUid.get(str(claimRef.uid));
    if (!claim || asRecord(claim.spec).volumeName !== volume.metadata?.name) {
      problems.push(`PersistentVolume ${volume.metadata?.name}: not bound both ways`);
    }
  }
  for (const binding of [...ofKind(objects, "RoleBinding"), ...ofKind(objects, "ClusterRoleBinding")]) {
    const ref = asRecord(binding.roleRef);
    const ns = ref.kind === "Role" ? binding.metadata?.namespace : undefined;
    if (!find(str(ref.kind), ns, str(ref.name)))
      problems.push(`${binding.kind} ${binding.metadata?.name}: role missing`);
  }
  return problems;
}

/** Objects and arrays reachable from more than one place: the store may mutate any object freely only without them. */
function sharedNodes(objects: KubeObject[]): number {
  const seen = new Set<object>();
  let shared = 0;
  const walk = (value: unknown) => {
    if (typeof value !== "object" || value === null) return;
    if (seen.has(value)) {
      shared++;
      return;
    }
    seen.add(value);
    for (const child of Object.values(value)) walk(child);
  };
  for (const o of objects) walk(o);
  return shared;
}

describe("scenarios", () => {
  it("offers demo and the sized clusters", () => {
    expect(scenarioNames).toEqual(
      expect.arrayContaining(["empty", "demo", "small", "modest", "medium", "large", "scale"]),
    );
    expect(generateScenario("empty", 1)).toEqual([]);
  });

  it("rejects an unknown scenario with a message naming the choices", () => {
    expect(() => generateScenario("nope", 1)).toThrow(/unknown scenario "nope".*demo/);
  });

  for (const name of ["demo", "small"]) {
    it(`${name}: the same seed gives the same objects, another seed other ones`, () => {
      const first = JSON.stringify(generateScenario(name, 1));
      expect(JSON.stringify(generateScenario(name, 1))).toBe(first);
      expect(JSON.stringify(generateScenario(name, 2))).not.toBe(first);
    });

    it(`${name}: another seed is another cluster, with its own kube-system uid and object uids`, () => {
      const kubeSystemUid = (seed: number) =>
        ofKind(generateScenario(name, seed), "Namespace").find((n) => n.metadata?.name === "kube-system")
          ?.metadata?.uid;
      expect(kubeSystemUid(1)).toBeTypeOf("string");
      expect(kubeSystemUid(1)).toBe(kubeSystemUid(1));
      expect(kubeSystemUid(2)).not.toBe(kubeSystemUid(1));
      const uids = (seed: number) => new Set(generateScenario(name, seed).map((o) => o.metadata?.uid));
      const first = uids(1);
      expect([...uids(2)].filter((uid) => first.has(uid))).toEqual([]);
    });

    it(`${name}: every object is its own tree`, () => {
      expect(sharedNodes(generateScenario(name, 3))).toBe(0);
    });
  }

  for (const [name, seed] of [
    ["demo", 1],
    ["demo", 42],
    ["small", 5],
    ["modest", 2],
    ["medium", 1],
  ] as const) {
    it(`${name} (seed ${seed}): every reference points at an object that exists`, () => {
      expect(integrityProblems(generateScenario(name, seed))).toEqual([]);
    });
  }

  it("small, modest, medium and large have the planned numbers of nodes, pods and services", () => {
    for (const name of ["small", "modest", "medium", "large"] as const) {
      const objects = generateScenario(name, 9);
      expect(ofKind(objects, "Node")).toHaveLength(sizes[name].nodes);
      expect(ofKind(objects, "Pod")).toHaveLength(sizes[name].pods);
      expect(ofKind(objects, "Service")).toHaveLength(sizes[name].services);
    }
  });

  describe("demo", () => {
    const objects = generateScenario("demo", 1);
    const { find } = index(objects);
    const namespaces = ofKind(objects, "Namespace").map((n) => n.metadata?.name ?? "");

    it("has the system namespaces and several application namespaces", () => {
      expect(namespaces).toEqual(
        expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]),
      );
      expect(namespaces.length).toBeGreaterThanOrEqual(7);
      expect(ofKind(objects, "Node")).toHaveLength(3);
    });

    it("runs an application in default, where a first query looks", () => {
      const running = ofKind(objects, "Pod").filter(
        (pod) => pod.metadata?.namespace === "default" && asRecord(pod.status).phase === "Running",
      );
      expect(running.length).toBeGreaterThanOrEqual(2);
      expect(find("Deployment", "default", "podinfo")).toBeDefined();
      expect(find("Service", "default", "podinfo")).toBeDefined();
      expect(namespaces.filter((name) => name === "default")).toHaveLength(1);
    });

    it("gives every namespace its root CA bundle and default service account", () => {
      for (const ns of namespaces) {
        expect(find("ConfigMap", ns, "kube-root-ca.crt"), ns).toBeDefined();
        expect(find("ServiceAccount", ns, "default"), ns).toBeDefined();
      }
    });

    it("has the API server's service and a heartbeat lease per node", () => {
      const kubernetes = find("Service", "default", "kubernetes");
      expect(asRecord(kubernetes?.spec).clusterIP).toBe("10.96.0.1");
      for (const node of ofKind(objects, "Node")) {
        const lease = find("Lease", "kube-node-lease", node.metadata?.name ?? "");
        expect(lease?.metadata?.ownerReferences?.[0]?.uid).toBe(node.metadata?.uid);
      }
    });

    it("chains deployments to replicasets to running pods, matching status counts", () => {
      const deployments = ofKind(objects, "Deployment");
      expect(deployments.length).toBeGreaterThan(3);
      for (const deployment of deployments) {
        const sets = objects.filter(
          (o) =>
            o.kind === "ReplicaSet" && o.metadata?.ownerReferences?.[0]?.uid === deployment.metadata?.uid,
        );
        const pods = objects.filter(
          (o) =>
            o.kind === "Pod" && sets.some((rs) => o.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid),
        );
        expect(pods.length).toBe(asRecord(deployment.spec).replicas);
        for (const pod of pods) {
          const status = asRecord(pod.status);
          expect(status.phase).toBe("Running");
          expect(str(status.podIP)).toMatch(/^10\.\d+\.\d+\.\d+$/);
          expect(asList(status.containerStatuses)[0]?.ready).toBe(true);
        }
      }
    });

    it("backs each selector service with slices that list exactly its pods", () => {
      for (const service of ofKind(objects, "Service")) {
        const selector = asRecord(asRecord(service.spec).selector) as Record<string, string>;
        if (Object.keys(selector).length === 0) continue;
        const ns = service.metadata?.namespace;
        const pods = objects.filter(
          (o) =>
            o.kind === "Pod" &&
            o.metadata?.namespace === ns &&
            asRecord(o.status).phase === "Running" &&
            Object.entries(selector).every(([k, v]) => o.metadata?.labels?.[k] === v),
        );
        const slices = objects.filter(
          (o) =>
            o.kind === "EndpointSlice" &&
            o.metadata?.namespace === ns &&
            o.metadata?.labels?.["kubernetes.io/service-name"] === service.metadata?.name,
        );
        const targets = slices.flatMap((s) => asList(s.endpoints).map((e) => str(asRecord(e.targetRef).uid)));
        expect(targets.sort(), `${ns}/${service.metadata?.name}`).toEqual(
          pods.map((p) => p.metadata?.uid).sort(),
        );
      }
    });

    it("runs the control plane as static pods owned by their node, without a service account", () => {
      const apiServer = find("Pod", "kube-system", "kube-apiserver-sim-control-plane");
      expect(apiServer?.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "Node",
        name: "sim-control-plane",
      });
      expect(asRecord(apiServer?.spec).serviceAccountName).toBeUndefined();
      expect(asRecord(apiServer?.spec).hostNetwork).toBe(true);
    });

    it("resolves a named targetPort to the pods' container port in slices and Endpoints", () => {
      const slice = objects.find(
        (o) =>
          o.kind === "EndpointSlice" && o.metadata?.labels?.["kubernetes.io/service-name"] === "frontend",
      );
      expect(slice?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
      const endpoints = find("Endpoints", "shop", "frontend");
      expect(asList(endpoints?.subsets)[0]?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
      const service = find("Service", "shop", "frontend");
      expect(asList(asRecord(service?.spec).ports)[0]).toMatchObject({ port: 80, targetPort: "http" });
    });

    it("has the kinds a real cluster shows", () => {
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of [
        "Secret",
        "Ingress",
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Endpoints",
        "Event",
      ]) {
        expect(kinds.has(kind), kind).toBe(true);
      }
      expect(find("DaemonSet", "kube-system", "kube-proxy")).toBeDefined();
    });
  });
});

describe("file scenarios", () => {
  const dir = mkdtempSync(join(tmpdir(), "sim-scenario-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads multi-document YAML and List wrappers, filling uids from the seed", () => {
    const path = join(dir, "objects.yaml");
    writeFileSync(
      path,
      [
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: settings\n    namespace: team-a\n  data:\n    mode: fast\n",
      ].join("---\n"),
    );
    const objects = generateScenario(path, 4);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      "Namespace/team-a",
      "ConfigMap/settings",
    ]);
    expect(objects[1]?.data).toEqual({ mode: "fast" });
    for (const o of objects) expect(o.metadata?.uid).toMatch(uuidPattern);
    expect(generateScenario(`file:${path}`, 4)).toEqual(objects);
  });

  it("reads JSON and keeps given uids", () => {
    const path = join(dir, "objects.json");
    const uid = "11111111-2222-4333-8444-555555555555";
    writeFileSync(
      path,
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x", uid } }),
    );
    expect(generateScenario(path, 1)[0]?.metadata?.uid).toBe(uid);
  });

  it("explains what is wrong with a bad file", () => {
    const noName = join(dir, "noname.yaml");
    writeFileSync(noName, "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
    expect(() => generateScenario(noName, 1)).toThrow(/object 1 \(ConfigMap\) has no metadata.name/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    expect(() => generateScenario(broken, 1)).toThrow(/not valid JSON/);
    expect(() => generateScenario(join(dir, "missing.yaml"), 1)).toThrow(/cannot be read/);
  });
});
