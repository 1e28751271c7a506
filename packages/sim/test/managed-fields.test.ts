// metadata.managedFields over HTTP: who set which field, in the fieldsV1 form a real server writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/index.js";
import { configMap, request, startEmpty } from "./sim-client.js";

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

function entriesOf(body: Record<string, unknown>): Entry[] {
  return ((body.metadata as Record<string, unknown>).managedFields ?? []) as Entry[];
}

const merge = { "content-type": "application/merge-patch+json" };

describe("managedFields", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
  });
  afterAll(async () => {
    await sim.close();
  });

  const configMaps = "/api/v1/namespaces/default/configmaps";

  it("names the manager after the User-Agent's program when no fieldManager is given", async () => {
    const created = await request(sim, "POST", configMaps, configMap("ua", { app: "web" }, { a: "1" }), {
      "user-agent": "deployer/2.1 (linux/amd64)",
    });
    expect(created.status).toBe(201);
    const [entry, ...rest] = entriesOf(created.body);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      manager: "deployer",
      operation: "Update",
      apiVersion: "v1",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:data": { ".": {}, "f:a": {} },
        "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      },
    });
    expect(entry!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("merges a manager's writes and moves the fields another manager changes to it", async () => {
    await request(
      sim,
      "POST",
      `${configMaps}?fieldManager=first`,
      configMap("moves", { app: "web" }, { a: "1" }),
    );
    await request(sim, "PATCH", `${configMaps}/moves?fieldManager=second`, { data: { b: "2" } }, merge);
    const both = await request(
      sim,
      "PATCH",
      `${configMaps}/moves?fieldManager=second`,
      { metadata: { labels: { app: "api" } }, data: { a: null } },
      merge,
    );
    const entries = entriesOf(both.body);
    expect(entries.map((entry) => entry.manager)).toEqual(["first", "second"]);
    // "first" lost data.a (removed) and labels.app (now second's); nothing else was ever its own.
    expect(entries[0]!.fieldsV1).toEqual({ "f:metadata": { "f:labels": {} }, "f:data": {} });
    expect(entries[1]!.fieldsV1).toEqual({
      "f:data": { "f:b": {} },
      "f:metadata": { "f:labels": { "f:app": {} } },
    });
  });

  it("leaves managedFields alone on a write that changes nothing", async () => {
    const created = await request(
      sim,
      "POST",
      `${configMaps}?fieldManager=one`,
      configMap("same", {}, { a: "1" }),
    );
    const replaced = await request(sim, "PUT", `${configMaps}/same?fieldManager=other`, created.body);
    expect(replaced.status).toBe(200);
    expect(entriesOf(replaced.body)).toEqual(entriesOf(created.body));
  });

  it("keys list elements by their merge keys and set elements by value", async () => {
    const created = await request(
      sim,
      "POST",
      "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", finalizers: ["example.com/keep"] },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              containers: [{ name: "web", image: "nginx", args: ["-g"], ports: [{ containerPort: 80 }] }],
            },
          },
        },
      },
    );
    expect(created.status).toBe(201);
    const [entry] = entriesOf(created.body);
    expect(entry!.apiVersion).toBe("apps/v1");
    expect(entry!.fieldsV1).toEqual({
      "f:metadata": { "f:finalizers": { ".": {}, 'v:"example.com/keep"': {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {} }, "f:type": {} },
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"web"}': {
                ".": {},
                "f:args": {},
                "f:image": {},
                "f:name": {},
                "f:ports": {
                  ".": {},
                  'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                },
              },
            },
          },
        },
      },
    });
    // A status write is its own entry, with the subresource named.
    const status = await request(
      sim,
      "PUT",
      "/apis/apps/v1/namespaces/default/deployments/web/status?fieldManager=kube-controller-manager",
      { ...created.body, status: { replicas: 2, conditions: [{ type: "Available", status: "True" }] } },
    );
    expect(status.status).toBe(200);
    const statusEntry = entriesOf(status.body).find((e) => e.subresource === "status");
    expect(statusEntry).toMatchObject({
      manager: "kube-controller-manager",
      operation: "Update",
      fieldsV1: {
        "f:status": {
          "f:conditions": { ".": {}, 'k:{"type":"Available"}': { ".": {}, "f:status": {}, "f:type": {} } },
          "f:replicas": {},
        },
      },
    });
  });

  it("records a server-side apply as an Apply of exactly the applied fields, listed first", async () => {
    await request(
      sim,
      "POST",
      `${configMaps}?fieldManager=creator`,
      configMap("applied", {}, { a: "1", b: "2" }),
    );
    const applied = await request(
      sim,
      "PATCH",
      `${configMaps}/applied?fieldManager=tool`,
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "applied" },
        data: { b: "3" },
      }),
      { "content-type": "application/apply-patch+yaml" },
    );
    expect(applied.status).toBe(200);
    const entries = entriesOf(applied.body);
    expect(entries.map((e) => `${e.manager}/${e.operation}`)).toEqual(["tool/Apply", "creator/Update"]);
    expect(entries[0]!.fieldsV1).toEqual({ "f:data": { "f:b": {} } });
    expect(entries[1]!.fieldsV1).toMatchObject({ "f:data": { ".": {}, "f:a": {} } });
  });

  it("honours a request that clears managedFields", async () => {
    await request(sim, "POST", `${configMaps}?fieldManager=a`, configMap("cleared", { x: "1" }, {}));
    const cleared = await request(
      sim,
      "PATCH",
      `${configMaps}/cleared?fieldManager=b`,
      { metadata: { managedFields: [] } },
      merge,
    );
    expect(cleared.status).toBe(200);
    expect(entriesOf(cleared.body)).toEqual([]);
  });
});

describe("managedFields of scenario objects", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: "demo" });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("credits controller-made objects to the controller manager and pod status to the kubelet", async () => {
    const pods = await request(sim, "GET", "/api/v1/pods");
    const owned = (pods.body.items as Record<string, unknown>[]).find((pod) => {
      const refs = (pod.metadata as { ownerReferences?: { kind: string }[] }).ownerReferences ?? [];
      return refs.some((ref) => ref.kind === "ReplicaSet");
    })!;
    const entries = entriesOf(owned);
    expect(entries.map((e) => `${e.manager}/${e.subresource ?? ""}`)).toEqual([
      "kube-controller-manager/",
      "kubelet/status",
    ]);
    const main = entries[0]!;
    expect(main.time).toBe((owned.metadata as { creationTimestamp: string }).creationTimestamp);
    expect(Object.keys(main.fieldsV1)).toEqual(["f:metadata", "f:spec"]);
    expect(Object.keys(entries[1]!.fieldsV1)).toEqual(["f:status"]);
    const uid = (owned.metadata as { ownerReferences: { uid: string }[] }).ownerReferences[0]!.uid;
    const metaFields = main.fieldsV1["f:metadata"] as Record<string, Record<string, unknown>>;
    expect(metaFields["f:ownerReferences"]![`k:{"uid":"${uid}"}`]).toBeDefined();
    // Two pods never share an entry, so a change to one cannot show on another.
    const other = (pods.body.items as Record<string, unknown>[]).find((pod) => pod !== owned)!;
    expect(entriesOf(other)[0]).not.toBe(main);
  });

  it("keeps a loaded object's entries through a client's update, adding the client's", async () => {
    const deployments = await request(sim, "GET", "/apis/apps/v1/deployments");
    const first = (deployments.body.items as { metadata: { name: string; namespace: string } }[])[0]!;
    const patched = await request(
      sim,
      "PATCH",
      `/apis/apps/v1/namespaces/${first.metadata.namespace}/deployments/${first.metadata.name}?fieldManager=editor`,
      { metadata: { labels: { touched: "yes" } } },
      merge,
    );
    expect(patched.status).toBe(200);
    expect(entriesOf(patched.body).map((e) => e.manager)).toContain("editor");
    expect(entriesOf(patched.body).length).toBeGreaterThan(1);
  });
});
