import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type KubernetesResource,
  meshServerResourceId,
  patternResourceOf,
  ResourceGraph,
  type ResourceGraphOptions,
  type StoredResource,
  toKubernetesResource,
} from "../../src/graph/index.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";
import { kubernetesResourceKeys } from "../support/kubernetes-resource-keys.js";
import { resourceType } from "./resource-types.js";

/** The uid of kube-system, which is what MeshSync calls the cluster id. */
const cluster: ClusterRef = { id: "0b6c3c3e-52a4-4d1e-9f5e-3d7f2b1f0a11", name: "kind-kind" };
const pods = resourceType("pods", "Pod");
const services = resourceType("services", "Service");
const secrets = resourceType("secrets", "Secret");
const configMaps = resourceType("configmaps", "ConfigMap");
const nodes = resourceType("nodes", "Node", { namespaced: false });
const deployments = resourceType("deployments", "Deployment", { group: "apps" });

function stored(type: ResourceType, object: KubeObject, options: ResourceGraphOptions = {}): StoredResource {
  const graph = new ResourceGraph(options);
  graph.addCluster(cluster);
  graph.upsert(cluster, type, object);
  const resource = graph.get(`${cluster.id}/${String(object.metadata?.uid)}`);
  if (resource === undefined) throw new Error("the graph did not keep the object");
  return resource;
}

/** What goes over the wire: the JSON text, read back. */
function wire(resource: StoredResource, event?: "ADDED" | "MODIFIED" | "DELETED"): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toKubernetesResource(resource, event === undefined ? {} : { event })));
}

const textFields = ["ownerReferences", "finalizers"] as const;
const topTextFields = ["data", "binaryData", "stringData"] as const;

/**
 * The wire object with each field that travels as JSON text parsed, so values compare without
 * regard to key order; a text field that is not a string fails the comparison.
 */
function readable(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...object };
  const parse = (value: unknown) =>
    typeof value === "string" ? { json: JSON.parse(value) } : { notText: value };
  const metadata = { ...(object.metadata as Record<string, unknown>) };
  for (const field of textFields) if (field in metadata) metadata[field] = parse(metadata[field]);
  out.metadata = metadata;
  for (const part of ["spec", "status"] as const) {
    const value = object[part] as Record<string, unknown> | undefined;
    if (value !== undefined) out[part] = { ...value, attribute: parse(value.attribute) };
  }
  for (const field of topTextFields) if (field in object) out[field] = parse(object[field]);
  return out;
}

const json = (value: unknown) => ({ json: value });
const label = (key: string, value: string) => ({ id: "", unique_id: "", kind: "label", key, value });
const annotation = (key: string, value?: string) =>
  value === undefined
    ? { id: "", unique_id: "", kind: "annotation", key }
    : { id: "", unique_id: "", kind: "annotation", key, value };

const podOwner = {
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name: "web-7d4b9c",
  uid: "0c0f6b8e-rs",
  controller: true,
  blockOwnerDeletion: true,
};

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-7d4b9c-x2x9q",
    generateName: "web-7d4b9c-",
    namespace: "shop",
    uid: "8f1d2c3b-pod",
    resourceVersion: "4711",
    creationTimestamp: "2026-01-02T03:04:05Z",
    labels: { "pod-template-hash": "7d4b9c", app: "web" },
    annotations: { note: "", "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" },
    ownerReferences: [podOwner],
    managedFields: [{ manager: "kube-controller-manager", operation: "Update", apiVersion: "v1" }],
  },
  spec: {
    nodeName: "node-1",
    containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] }],
  },
  status: { phase: "Running", podIP: "10.244.0.7", conditions: [{ type: "Ready", status: "True" }] },
};

describe("toKubernetesResource: the Pod, key by key", () => {
  const resource = stored(pods, pod);

  it("gives every key Go writes, with its empty values, and none it omits", () => {
    expect(readable(wire(resource))).toStrictEqual({
      id: "",
      apiVersion: "v1",
      kind: "Pod",
      model: "",
      metadata: {
        id: "",
        name: "web-7d4b9c-x2x9q",
        generateName: "web-7d4b9c-",
        namespace: "shop",
        uid: "8f1d2c3b-pod",
        resourceVersion: "4711",
        creationTimestamp: "2026-01-02T03:04:05Z",
        labels: [label("app", "web"), label("pod-template-hash", "7d4b9c")],
        annotations: [
          annotation("kubectl.kubernetes.io/restartedAt", "2026-01-01T00:00:00Z"),
          annotation("note"),
        ],
        ownerReferences: json([podOwner]),
        cluster_id: "",
      },
      spec: { id: "", attribute: json(pod.spec) },
      status: { id: "", attribute: json(pod.status) },
      cluster_id: cluster.id,
      pattern_resource: null,
      component_metadata: null,
    });
  });

  it("writes the keys in the order of Go's struct fields", () => {
    const keys = Object.keys(wire(resource));
    expect(keys).toStrictEqual(kubernetesResourceKeys.filter((k) => keys.includes(k)));
    expect(Object.keys(wire(resource).metadata as object)).toStrictEqual([
      "id",
      "name",
      "generateName",
      "namespace",
      "uid",
      "resourceVersion",
      "creationTimestamp",
      "labels",
      "annotations",
      "ownerReferences",
      "cluster_id",
    ]);
  });

  it("sends spec and status as the JSON text of the object's own", () => {
    const out = toKubernetesResource(resource);
    expect(typeof out.spec?.attribute).toBe("string");
    expect(JSON.parse(out.spec?.attribute ?? "")).toStrictEqual(pod.spec);
    expect(JSON.parse(out.status?.attribute ?? "")).toStrictEqual(pod.status);
  });

  it("gives Meshery Server's row id from cluster, kind, apiVersion, namespace and name", () => {
    const id = meshServerResourceId(toKubernetesResource(resource));
    expect(Buffer.from(id, "base64").toString("utf8")).toBe(`${cluster.id}.Pod.v1.shop.web-7d4b9c-x2x9q`);
  });
});

function service(
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "shop", uid: `svc-${name}`, resourceVersion: "1" },
    spec,
    status,
  };
}

function urlsOf(object: KubeObject, event?: "ADDED" | "MODIFIED" | "DELETED"): unknown {
  return wire(stored(services, object), event).component_metadata;
}

const connection = (...urls: string[]) => ({ capabilities: { connection: true, urls } });

describe("toKubernetesResource: a Service's component_metadata", () => {
  it("offers the cluster IP at the last port, https for 443", () => {
    const spec = {
      type: "ClusterIP",
      clusterIP: "10.96.12.7",
      ports: [
        { name: "http", port: 80, targetPort: 8080 },
        { name: "https", port: 443, targetPort: 8443 },
      ],
    };
    expect(urlsOf(service("web", spec, { loadBalancer: {} }))).toStrictEqual(
      connection("https://10.96.12.7:443"),
    );
    expect(urlsOf(service("web", { ...spec, ports: [spec.ports[1], spec.ports[0]] }))).toStrictEqual(
      connection("http://10.96.12.7:80"),
    );
  });

  it("offers a NodePort Service on localhost first, then inside the cluster", () => {
    const spec = { type: "NodePort", clusterIP: "10.96.0.20", ports: [{ port: 80, nodePort: 30080 }] };
    expect(urlsOf(service("np", spec))).toStrictEqual(
      connection("http://localhost:30080", "http://10.96.0.20:80"),
    );
  });

  it("offers a load balancer's ingress IP, or its host name, at the service port", () => {
    const spec = { type: "LoadBalancer", clusterIP: "10.96.0.30", ports: [{ port: 443, nodePort: 31443 }] };
    expect(urlsOf(service("lb", spec, { loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } }))).toStrictEqual(
      connection("https://203.0.113.9:443", "https://10.96.0.30:443"),
    );
    expect(
      urlsOf(
        service("lb", spec, {
          loadBalancer: { ingress: [{ hostname: "lb.example.com" }, { ip: "1.1.1.1" }] },
        }),
      ),
    ).toStrictEqual(connection("https://lb.example.com:443", "https://10.96.0.30:443"));
    expect(urlsOf(service("lb", spec, { loadBalancer: { ingress: [{ ip: "<pending>" }] } }))).toStrictEqual(
      connection("https://10.96.0.30:443", "https://10.96.0.30:443"),
    );
  });

  it("offers nothing for a headless Service and nothing for an IPv6 address (Go 1.26 refuses it)", () => {
    expect(urlsOf(service("headless", { clusterIP: "None", ports: [{ port: 80 }] }))).toStrictEqual(
      connection(),
    );
    expect(urlsOf(service("v6", { clusterIP: "fd00:10:96::1", ports: [{ port: 80 }] }))).toStrictEqual(
      connection(),
    );
  });

  it("keeps Go's address for a Service with neither cluster IP nor ports", () => {
    expect(
      urlsOf(service("external", { type: "ExternalName", externalName: "db.example.com" })),
    ).toStrictEqual(connection("http://:0"));
  });

  it("gives a deleted Service none, and a Service Go could not decode none", () => {
    const spec = { clusterIP: "10.96.0.40", ports: [{ port: 80 }] };
    expect(urlsOf(service("gone", spec), "DELETED")).toBeNull();
    expect(urlsOf(service("gone", spec), "MODIFIED")).toStrictEqual(connection("http://10.96.0.40:80"));
    expect(urlsOf(service("odd", { clusterIP: "10.96.0.41", ports: [{ port: "80" }] }))).toBeNull();
  });

  it("gives no other kind any", () => {
    expect(wire(stored(pods, pod)).component_metadata).toBeNull();
  });
});

const secret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop", uid: "secret-db", resourceVersion: "9" },
  type: "kubernetes.io/basic-auth",
  data: { username: "YWRtaW4=", password: "czNjcjN0" },
  stringData: { token: "plain" },
};

describe("toKubernetesResource: Secrets and ConfigMaps", () => {
  it("keeps a Secret's data redacted as the graph holds it, and its type", () => {
    expect(readable(wire(stored(secrets, secret)))).toStrictEqual({
      id: "",
      apiVersion: "v1",
      kind: "Secret",
      model: "",
      metadata: {
        id: "",
        name: "db",
        namespace: "shop",
        uid: "secret-db",
        resourceVersion: "9",
        cluster_id: "",
      },
      cluster_id: cluster.id,
      pattern_resource: null,
      component_metadata: null,
      data: json({ username: "", password: "" }),
      stringData: json({ token: "" }),
      type: "kubernetes.io/basic-auth",
    });
  });

  it("sends a Secret's data when the operator opted in", () => {
    const out = toKubernetesResource(stored(secrets, secret, { revealSecrets: true }));
    expect(JSON.parse(out.data ?? "")).toStrictEqual(secret.data);
    expect(JSON.parse(out.stringData ?? "")).toStrictEqual(secret.stringData);
  });

  it("sends a ConfigMap's data, binaryData and immutable as JSON text", () => {
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "shop", uid: "cm-settings", resourceVersion: "3" },
      immutable: true,
      data: { "app.yaml": "mode: fast\n", empty: "" },
      binaryData: { "logo.png": "iVBORw0KGgo=" },
    };
    const out = wire(stored(configMaps, configMap));
    expect(readable(out)).toStrictEqual({
      id: "",
      apiVersion: "v1",
      kind: "ConfigMap",
      model: "",
      metadata: {
        id: "",
        name: "settings",
        namespace: "shop",
        uid: "cm-settings",
        resourceVersion: "3",
        cluster_id: "",
      },
      cluster_id: cluster.id,
      pattern_resource: null,
      component_metadata: null,
      immutable: "true",
      data: json(configMap.data),
      binaryData: json(configMap.binaryData),
    });
    const mutable = wire(stored(configMaps, { ...configMap, immutable: false, binaryData: undefined }));
    expect(mutable.immutable).toBe("false");
    expect("binaryData" in mutable).toBe(false);
  });
});

describe("toKubernetesResource: metadata Go sends as text, and deletion", () => {
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      uid: "deploy-web",
      resourceVersion: "12",
      generation: 3,
      deletionTimestamp: "2026-02-03T04:05:06Z",
      deletionGracePeriodSeconds: 0,
      finalizers: ["foregroundDeletion", "example.com/cleanup"],
      ownerReferences: [
        { apiVersion: "example.com/v1", kind: "App", name: "shop", uid: "app-shop", controller: true },
        { apiVersion: "v1", kind: "ConfigMap", name: "anchor", uid: "cm-anchor" },
      ],
    },
    spec: { replicas: 2 },
  };

  it("sends ownerReferences and finalizers as JSON strings, and a zero grace period", () => {
    const out = wire(stored(deployments, deployment));
    const metadata = out.metadata as Record<string, unknown>;
    expect(typeof metadata.ownerReferences).toBe("string");
    expect(typeof metadata.finalizers).toBe("string");
    expect(readable(out).metadata).toStrictEqual({
      id: "",
      name: "web",
      namespace: "shop",
      uid: "deploy-web",
      resourceVersion: "12",
      generation: 3,
      deletionTimestamp: "2026-02-03T04:05:06Z",
      deletionGracePeriodSeconds: 0,
      ownerReferences: json(deployment.metadata?.ownerReferences),
      finalizers: json(deployment.metadata?.finalizers),
      cluster_id: "",
    });
    expect("status" in out).toBe(false);
  });

  it("omits generation 0 and an absent grace period, as omitempty does", () => {
    const plain = {
      ...deployment,
      metadata: { name: "api", namespace: "shop", uid: "deploy-api", generation: 0 },
    };
    const metadata = wire(stored(deployments, plain)).metadata as Record<string, unknown>;
    expect(Object.keys(metadata)).toStrictEqual(["id", "name", "namespace", "uid", "cluster_id"]);
  });
});

describe("toKubernetesResource: pattern_resource", () => {
  const designId = "3f2c9a7e-8b1d-4c5e-9a6f-0d1e2f3a4b5c";
  const withLabel = (value: string) =>
    stored(pods, {
      ...pod,
      metadata: { ...pod.metadata, labels: { "design.meshery.io/id": value, app: "web" } },
    });

  it("comes from the design.meshery.io/id label", () => {
    expect(wire(withLabel(designId)).pattern_resource).toBe(designId);
    expect(wire(withLabel(designId.toUpperCase())).pattern_resource).toBe(designId);
    expect(wire(stored(pods, pod)).pattern_resource).toBeNull();
  });

  it("falls back to what Go's uuid.FromBytes makes of other values", () => {
    expect(wire(withLabel("not-a-uuid")).pattern_resource).toBe("00000000-0000-0000-0000-000000000000");
    expect(patternResourceOf("")).toBe("00000000-0000-0000-0000-000000000000");
    expect(patternResourceOf("abcdefghijklmnop")).toBe("61626364-6566-6768-696a-6b6c6d6e6f70");
    expect(patternResourceOf(`urn:uuid:${designId}`)).toBe(designId);
    expect(patternResourceOf(`{${designId}}`)).toBe(designId);
    expect(patternResourceOf(designId.replaceAll("-", ""))).toBe(designId);
  });
});

describe("toKubernetesResource: a cluster-scoped object", () => {
  const node: KubeObject = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "node-1",
      uid: "node-uid-1",
      resourceVersion: "77",
      labels: { "kubernetes.io/os": "linux" },
    },
    spec: { podCIDR: "10.244.1.0/24" },
    status: { nodeInfo: { kubeletVersion: "v1.33.1" } },
  };

  it("has no namespace key, and an empty namespace in its row id", () => {
    const out = toKubernetesResource(stored(nodes, node));
    const metadata = JSON.parse(JSON.stringify(out.metadata));
    expect("namespace" in metadata).toBe(false);
    expect(metadata.labels).toStrictEqual([label("kubernetes.io/os", "linux")]);
    expect(Buffer.from(meshServerResourceId(out), "base64").toString()).toBe(`${cluster.id}.Node.v1..node-1`);
  });

  it("leaves spec out when the object has none, and keeps an empty one", () => {
    const bare = wire(stored(nodes, { ...node, spec: undefined, status: undefined }));
    expect("spec" in bare).toBe(false);
    expect("status" in bare).toBe(false);
    expect(wire(stored(nodes, { ...node, spec: {} })).spec).toStrictEqual({ id: "", attribute: "{}" });
  });
});

describe("toKubernetesResource: Go's case-insensitive decode", () => {
  it("reads top-level and metadata keys whatever their case, as encoding/json does", () => {
    const odd: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      Model: "widgets",
      metadata: { name: "w", namespace: "shop", uid: "widget-w", ClusterName: "east" },
      spec: { ID: "spec-id", size: 3 },
    };
    const out = wire(stored(resourceType("widgets", "Widget", { group: "example.com" }), odd));
    expect(out.model).toBe("widgets");
    expect((out.metadata as Record<string, unknown>).clusterName).toBe("east");
    expect(readable(out).spec).toStrictEqual({ id: "spec-id", attribute: json(odd.spec) });
  });
});

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/fixtures/k8s/objects");

/** group, version and kind from a fixture's name, `<group>.<version>.<Kind>.json` (core written `core`). */
function typeOfFixture(file: string, object: KubeObject): ResourceType {
  const parts = file.replace(/\.json$/, "").split(".");
  const kind = parts.pop() as string;
  const version = parts.pop() as string;
  const group = parts.join(".") === "core" ? "" : parts.join(".");
  return resourceType(`${kind.toLowerCase()}s`, kind, {
    group,
    version,
    namespaced: typeof object.metadata?.namespace === "string",
  });
}

/** What the wire object should hold for a source object, derived from the source alone. */
function expectedFor(source: KubeObject, redacted: boolean): Record<string, unknown> {
  const meta = source.metadata ?? {};
  const metadata: Record<string, unknown> = { id: "" };
  for (const key of ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion"] as const)
    if (typeof meta[key] === "string" && meta[key] !== "") metadata[key] = meta[key];
  if (typeof meta.generation === "number" && meta.generation !== 0) metadata.generation = meta.generation;
  for (const key of ["creationTimestamp", "deletionTimestamp"] as const)
    if (typeof meta[key] === "string" && meta[key] !== "") metadata[key] = meta[key];
  if (typeof meta.deletionGracePeriodSeconds === "number")
    metadata.deletionGracePeriodSeconds = meta.deletionGracePeriodSeconds;
  const entries = (map: unknown, kind: "label" | "annotation") =>
    Object.entries((map ?? {}) as Record<string, string>)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => (kind === "label" ? label(key, value) : annotation(key, value || undefined)));
  if (meta.labels && Object.keys(meta.labels).length > 0) metadata.labels = entries(meta.labels, "label");
  if (meta.annotations && Object.keys(meta.annotations).length > 0)
    metadata.annotations = entries(meta.annotations, "annotation");
  if (meta.ownerReferences !== undefined) metadata.ownerReferences = json(meta.ownerReferences);
  if (meta.finalizers !== undefined) metadata.finalizers = json(meta.finalizers);
  metadata.cluster_id = "";
  const out: Record<string, unknown> = {
    id: "",
    apiVersion: source.apiVersion,
    kind: source.kind,
    model: "",
    metadata,
  };
  if (source.spec !== undefined) out.spec = { id: "", attribute: json(source.spec) };
  if (source.status !== undefined) out.status = { id: "", attribute: json(source.status) };
  out.cluster_id = cluster.id;
  out.pattern_resource = null;
  out.component_metadata = null;
  const blank = (map: unknown) => Object.fromEntries(Object.keys(map as object).map((k) => [k, ""]));
  if (source.immutable !== undefined) out.immutable = String(source.immutable);
  for (const field of topTextFields) {
    const value = source[field];
    if (value === undefined) continue;
    out[field] = json(redacted && field !== "binaryData" ? blank(value) : value);
  }
  if (typeof source.type === "string" && source.type !== "") out.type = source.type;
  return out;
}

describe.skipIf(!existsSync(fixtures))("toKubernetesResource: Kubernetes' fully populated objects", () => {
  const files = existsSync(fixtures) ? readdirSync(fixtures).filter((f) => f.endsWith(".json")) : [];

  it("finds the fixtures", () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)("%s converts as Go converts it", (file) => {
    const source = JSON.parse(readFileSync(join(fixtures, file), "utf8")) as KubeObject;
    const out = wire(stored(typeOfFixture(file, source), source));
    const expected = expectedFor(source, source.kind === "Secret");
    if (source.kind === "Service") {
      // The fixture's last port is 3 (node port 5), and its ingress IP is not its cluster IP.
      expected.component_metadata = connection("http://ipValue:3", "http://clusterIPValue:3");
    }
    expect(readable(out)).toStrictEqual(expected);
    expect("managedFields" in (out.metadata as object)).toBe(false);
  });
});

if (!existsSync(fixtures)) {
  console.log(`skipping the Kubernetes fixture conversions: ${fixtures} is absent`);
}

// The type is what other modules import; a value of it must survive the JSON round trip unchanged.
describe("KubernetesResource", () => {
  it("is plain JSON", () => {
    const out: KubernetesResource = toKubernetesResource(stored(pods, pod));
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
  });
});
