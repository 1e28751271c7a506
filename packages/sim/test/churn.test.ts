import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { builtinResourceTypes, type SimResourceType } from "../src/catalog.js";
import { createChurner, startChurn } from "../src/churn.js";
import type { KubeObject, ObjectApi } from "../src/object-api.js";
import { generateScenario } from "../src/scenarios/index.js";

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);

class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface Write {
  verb: "create" | "update" | "update-status" | "delete";
  resource: string;
}

/** A minimal store with the real server's rules that matter here: conflicts, not found, namespaces. */
class MemoryApi implements ObjectApi {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: Write[] = [];
  private resourceVersion = 1;
  conflictOnUpdate = false;

  private type(group: string, version: string, resource: string): SimResourceType {
    const type = builtinResourceTypes.find(
      (t) => t.group === group && t.version === version && t.name === resource,
    );
    if (!type)
      throw new StatusError(404, "NotFound", `the server could not find the requested resource ${resource}`);
    return type;
  }

  private key(group: string, resource: string, namespace: string | undefined, name: string): string {
    return `${group}/${resource}/${namespace ?? ""}/${name}`;
  }

  list(group: string, version: string, resource: string, namespace?: string): KubeObject[] {
    this.type(group, version, resource);
    const prefix = `${group}/${resource}/`;
    const out: KubeObject[] = [];
    for (const [key, object] of this.objects) {
      if (key.startsWith(prefix) && (namespace === undefined || object.metadata?.namespace === namespace))
        out.push(object);
    }
    return out;
  }

  get(group: string, version: string, resource: string, namespace: string | undefined, name: string) {
    const type = this.type(group, version, resource);
    return this.objects.get(this.key(group, resource, type.namespaced ? namespace : undefined, name));
  }

  create(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    const type = this.type(group, version, resource);
    const namespace = type.namespaced ? obj.metadata?.namespace : undefined;
    if (type.namespaced && !this.objects.has(this.key("", "namespaces", undefined, namespace ?? ""))) {
      throw new StatusError(404, "NotFound", `namespaces "${namespace}" not found`);
    }
    const key = this.key(group, resource, namespace, obj.metadata?.name ?? "");
    if (this.objects.has(key)) throw new StatusError(409, "AlreadyExists", `${key} already exists`);
    const stored = structuredClone(obj);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.resourceVersion) };
    this.objects.set(key, stored);
    this.writes.push({ verb: "create", resource });
    return stored;
  }

  /** As the real server: a plain update keeps the stored status of types with a status subresource. */
  update(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    return this.write(group, version, resource, obj, this.splitStatus ? "spec" : "all");
  }

  updateStatus(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    return this.write(group, version, resource, obj, "status");
  }

  /** When false, update() writes the status too, like a store without a status subresource. */
  splitStatus = true;

  private write(
    group: string,
    version: string,
    resource: string,
    obj: KubeObject,
    part: "spec" | "status" | "all",
  ) {
    const type = this.type(group, version, resource);
    const key = this.key(
      group,
      resource,
      type.namespaced ? obj.metadata?.namespace : undefined,
      obj.metadata?.name ?? "",
    );
    const existing = this.objects.get(key);
    if (!existing) throw new StatusError(404, "NotFound", `${key} not found`);
    if (this.conflictOnUpdate || existing.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      throw new StatusError(409, "Conflict", `${key}: the object has been modified`);
    }
    const hasStatus = type.subresources?.includes("status") ?? false;
    const stored = structuredClone(part === "status" ? { ...existing, status: obj.status } : obj);
    if (part === "spec" && hasStatus) stored.status = structuredClone(existing.status);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.resourceVersion) };
    this.objects.set(key, stored);
    this.writes.push({ verb: part === "status" ? "update-status" : "update", resource });
    return stored;
  }

  delete(
    group: string,
    version: string,
    resource: string,
    namespace: string | undefined,
    name: string,
  ): void {
    const type = this.type(group, version, resource);
    const key = this.key(group, resource, type.namespaced ? namespace : undefined, name);
    if (!this.objects.delete(key)) throw new StatusError(404, "NotFound", `${key} not found`);
    this.writes.push({ verb: "delete", resource });
  }

  load(objects: KubeObject[]): void {
    for (const object of objects) {
      const [group, version] = (object.apiVersion ?? "").includes("/")
        ? (object.apiVersion ?? "").split("/")
        : ["", object.apiVersion ?? ""];
      const type = builtinResourceTypes.find(
        (t) => t.group === group && t.version === version && t.kind === object.kind,
      );
      if (!type) throw new Error(`no type for ${object.apiVersion} ${object.kind}`);
      this.create(type.group, type.version, type.name, object);
    }
  }

  all(): KubeObject[] {
    return [...this.objects.values()];
  }

  count(verb: Write["verb"], resource: string): number {
    return this.writes.filter((w) => w.verb === verb && w.resource === resource).length;
  }
}

function loadedApi(scenario = "small", seed = 1): MemoryApi {
  const api = new MemoryApi();
  api.load(generateScenario(scenario, seed));
  return api;
}

function integrityProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const byUid = new Map(objects.map((o) => [o.metadata?.uid, o]));
  const has = (kind: string, namespace: string | undefined, name: unknown) =>
    objects.some((o) => o.kind === kind && o.metadata?.namespace === namespace && o.metadata?.name === name);
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    if (o.metadata?.namespace && !has("Namespace", undefined, o.metadata.namespace))
      problems.push(`${where}: no namespace`);
    for (const ref of o.metadata?.ownerReferences ?? []) {
      if (byUid.get(ref.uid)?.metadata?.name !== ref.name)
        problems.push(`${where}: owner ${ref.kind} ${ref.name} missing`);
    }
    if (o.kind === "Pod" && !has("Node", undefined, asRecord(o.spec).nodeName))
      problems.push(`${where}: no node`);
    if (o.kind === "EndpointSlice") {
      for (const endpoint of asList(o.endpoints)) {
        const ref = asRecord(endpoint.targetRef);
        if (ref.uid === undefined) continue;
        const pod = byUid.get(String(ref.uid));
        if (!pod) problems.push(`${where}: target ${String(ref.name)} missing`);
        else if ((endpoint.addresses as unknown[])[0] !== asRecord(pod.status).podIP) {
          problems.push(`${where}: ${String(ref.name)} address is not its IP`);
        }
      }
    }
  }
  return problems;
}

describe("churn", () => {
  it("creates, updates and deletes across kinds as controllers would", () => {
    const api = loadedApi();
    api.writes.length = 0;
    const churner = createChurner(api, 7);
    for (let i = 0; i < 1500; i++) churner.step();
    expect(churner.stats.errors, churner.stats.lastError).toBe(0);
    expect(churner.stats.creates).toBeGreaterThan(0);
    expect(churner.stats.updates).toBeGreaterThan(0);
    expect(churner.stats.deletes).toBeGreaterThan(0);
    expect(churner.stats.creates + churner.stats.updates + churner.stats.deletes).toBe(api.writes.length);
    for (const resource of ["pods", "namespaces", "configmaps", "events"]) {
      expect(api.count("create", resource), `create ${resource}`).toBeGreaterThan(0);
      expect(api.count("delete", resource), `delete ${resource}`).toBeGreaterThan(0);
    }
    for (const resource of [
      "deployments",
      "replicasets",
      "endpointslices",
      "endpoints",
      "configmaps",
      "leases",
      "services",
      "secrets",
    ]) {
      expect(api.count("update", resource), `update ${resource}`).toBeGreaterThan(0);
    }
    for (const resource of ["pods", "deployments", "replicasets"]) {
      expect(api.count("update-status", resource), `update ${resource}/status`).toBeGreaterThan(0);
    }
  });

  it("keeps every reference pointing at an existing object", () => {
    for (const seed of [1, 2, 3]) {
      const api = loadedApi("small", seed);
      const churner = createChurner(api, seed);
      for (let i = 0; i < 800; i++) churner.step();
      expect(integrityProblems(api.all()), `seed ${seed}`).toEqual([]);
    }
  });

  it("keeps each deployment's current ReplicaSet owning as many pods as the deployment wants", () => {
    const api = loadedApi("demo", 1);
    const churner = createChurner(api, 11);
    for (let i = 0; i < 1000; i++) churner.step();
    const objects = api.all();
    for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
      const sets = objects.filter(
        (o) => o.kind === "ReplicaSet" && o.metadata?.ownerReferences?.[0]?.uid === deployment.metadata?.uid,
      );
      const revision = (o: KubeObject) =>
        Number(o.metadata?.annotations?.["deployment.kubernetes.io/revision"]);
      const current = sets.sort((a, b) => revision(b) - revision(a))[0];
      const owned = objects.filter(
        (o) => o.kind === "Pod" && o.metadata?.ownerReferences?.[0]?.uid === current?.metadata?.uid,
      );
      expect(owned.length, deployment.metadata?.name).toBe(asRecord(deployment.spec).replicas);
      expect(asRecord(current?.spec).replicas).toBe(asRecord(deployment.spec).replicas);
      expect(asRecord(current?.status).replicas, `${deployment.metadata?.name} status`).toBe(owned.length);
      expect(asRecord(deployment.status).replicas, `${deployment.metadata?.name} status`).toBe(owned.length);
    }
  });

  it("leaves alone pods no controller owns and whatever the caller says others run", () => {
    const api = loadedApi("demo", 1);
    const bare = api.all().find((o) => o.kind === "Pod" && o.metadata?.namespace === "default");
    const own = structuredClone(bare!);
    own.metadata = { name: "mine", namespace: "default", uid: "mine-uid" };
    api.create("", "v1", "pods", own);
    // A deployment someone else runs, with its ReplicaSets and their pods, as the controllers mark them.
    const keptUids = new Set(
      api
        .all()
        .filter((o) => o.kind === "Deployment" && o.metadata?.namespace === "default")
        .map((o) => o.metadata?.uid),
    );
    for (const kind of ["ReplicaSet", "Pod"]) {
      for (const o of api.all()) {
        const owner = o.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
        if (o.kind === kind && keptUids.has(owner)) keptUids.add(o.metadata?.uid);
      }
    }
    expect(keptUids.size).toBeGreaterThan(2);
    const before = structuredClone(
      api.all().filter((o) => keptUids.has(o.metadata?.uid) || o.metadata?.name === "mine"),
    );
    const churner = createChurner(api, 9, { leaveAlone: (object) => keptUids.has(object.metadata?.uid) });
    for (let i = 0; i < 1500; i++) churner.step();
    expect(churner.stats.updates).toBeGreaterThan(0);
    const after = api.all().filter((o) => keptUids.has(o.metadata?.uid) || o.metadata?.name === "mine");
    expect(after).toEqual(before);
  });

  it("moves new pods from Pending to Running and into their service's slice", () => {
    const api = loadedApi("demo", 1);
    const generated = new Set(api.all().map((o) => o.metadata?.uid));
    const churner = createChurner(api, 5);
    for (let i = 0; i < 1000; i++) churner.step();
    const churned = api.all().filter((o) => o.kind === "Pod" && !generated.has(o.metadata?.uid));
    const running = churned.filter((pod) => asRecord(pod.status).phase === "Running");
    expect(running.length).toBeGreaterThan(0);
    const sliceTargets = new Set(
      api
        .all()
        .filter((o) => o.kind === "EndpointSlice")
        .flatMap((slice) => asList(slice.endpoints).map((e) => asRecord(e.targetRef).uid)),
    );
    const inService = running.filter((pod) => sliceTargets.has(pod.metadata?.uid));
    expect(inService.length).toBeGreaterThan(0);
  });

  it("keeps slice endpoints' readiness in step with their pods", () => {
    const api = loadedApi("small", 4);
    const churner = createChurner(api, 4);
    for (let i = 0; i < 1000; i++) churner.step();
    const objects = api.all();
    const byUid = new Map(objects.map((o) => [o.metadata?.uid, o]));
    let notReady = 0;
    for (const slice of objects.filter((o) => o.kind === "EndpointSlice")) {
      for (const endpoint of asList(slice.endpoints)) {
        const pod = byUid.get(String(asRecord(endpoint.targetRef).uid ?? ""));
        if (!pod) continue;
        const ready =
          asList(asRecord(pod.status).conditions).find((c) => c.type === "Ready")?.status === "True";
        expect(asRecord(endpoint.conditions).ready, pod.metadata?.name).toBe(ready);
        if (!ready) notReady++;
      }
    }
    expect(notReady).toBeGreaterThan(0);
  });

  it("steps over store errors without throwing and counts them", () => {
    const api = loadedApi("small", 1);
    api.conflictOnUpdate = true;
    const churner = createChurner(api, 3);
    for (let i = 0; i < 300; i++) expect(() => churner.step()).not.toThrow();
    expect(churner.stats.errors).toBeGreaterThan(0);
    expect(churner.stats.lastError).toMatch(/modified/);
  });

  it("writes status with update() where the store has no status subresource", () => {
    const api = loadedApi("demo", 1);
    const generated = new Set(api.all().map((o) => o.metadata?.uid));
    api.splitStatus = false;
    const plain: ObjectApi = {
      list: (g, v, r, ns) => api.list(g, v, r, ns),
      get: (g, v, r, ns, name) => api.get(g, v, r, ns, name),
      create: (g, v, r, obj) => api.create(g, v, r, obj),
      update: (g, v, r, obj) => api.update(g, v, r, obj),
      delete: (g, v, r, ns, name) => api.delete(g, v, r, ns, name),
    };
    const churner = createChurner(plain, 5);
    for (let i = 0; i < 500; i++) churner.step();
    expect(churner.stats.errors, churner.stats.lastError).toBe(0);
    expect(api.count("update-status", "pods")).toBe(0);
    const started = api
      .all()
      .filter(
        (o) => o.kind === "Pod" && !generated.has(o.metadata?.uid) && asRecord(o.status).phase === "Running",
      );
    expect(started.length).toBeGreaterThan(0);
  });

  it("carries on when another writer deletes objects it has seen", () => {
    const api = loadedApi("demo", 1);
    const churner = createChurner(api, 6);
    for (let i = 0; i < 300; i++) churner.step();
    for (const pod of api.list("", "v1", "pods", "shop"))
      api.delete("", "v1", "pods", "shop", pod.metadata?.name ?? "");
    for (const rs of api.list("apps", "v1", "replicasets", "web")) {
      api.delete("apps", "v1", "replicasets", "web", rs.metadata?.name ?? "");
    }
    const before = churner.stats.creates + churner.stats.updates + churner.stats.deletes;
    for (let i = 0; i < 500; i++) expect(() => churner.step()).not.toThrow();
    expect(churner.stats.creates + churner.stats.updates + churner.stats.deletes).toBeGreaterThan(
      before + 100,
    );
    // Scale-ups in "shop" find the pods gone and create new ones for the ReplicaSets.
    expect(api.list("", "v1", "pods", "shop").length).toBeGreaterThan(0);
  });

  it("draws another pod name when the one it drew is taken", () => {
    const api = loadedApi("demo", 1);
    let refused = 0;
    let attempts = 0;
    const create = api.create.bind(api);
    api.create = (group, version, resource, obj) => {
      // Every other pod name drawn is taken, as if another writer had just used it.
      if (resource === "pods" && attempts++ % 2 === 0) {
        refused++;
        throw new StatusError(409, "AlreadyExists", `pods "${obj.metadata?.name}" already exists`);
      }
      return create(group, version, resource, obj);
    };
    const churner = createChurner(api, 12);
    for (let i = 0; i < 400; i++) churner.step();
    expect(refused).toBeGreaterThan(0);
    expect(api.count("create", "pods")).toBeGreaterThan(0);
    expect(churner.stats.errors, churner.stats.lastError).toBe(0);
  });

  it("copes with an empty cluster", () => {
    const churner = createChurner(new MemoryApi(), 1);
    for (let i = 0; i < 200; i++) expect(() => churner.step()).not.toThrow();
  });
});

describe("startChurn", () => {
  // Fake timers and clock: time is advanced on purpose, so "nothing more happened" is checked over
  // ten seconds of the churn's own time, not over a short real sleep.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("changes the cluster on its timer until stopped", () => {
    const api = loadedApi("small", 2);
    api.writes.length = 0;
    const churn = startChurn(api, 200, 9);
    vi.advanceTimersByTime(1000);
    expect(api.writes.length).toBeGreaterThan(20);
    churn.stop();
    const after = api.writes.length;
    vi.advanceTimersByTime(10_000);
    expect(api.writes.length).toBe(after);
    expect(churn.stats.creates + churn.stats.updates + churn.stats.deletes).toBe(after);
  });

  it("does nothing at a rate of zero", () => {
    const api = loadedApi("small", 2);
    api.writes.length = 0;
    const churn = startChurn(api, 0, 1);
    vi.advanceTimersByTime(10_000);
    churn.stop();
    expect(api.writes).toHaveLength(0);
  });
});
