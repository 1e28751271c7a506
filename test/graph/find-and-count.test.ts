import { describe, expect, it } from "vitest";
import {
  FilterError,
  type ResourceCount,
  type ResourceFilter,
  ResourceGraph,
} from "../../src/graph/index.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const a: ClusterRef = { id: "c-a", name: "a" };
const b: ClusterRef = { id: "c-b", name: "b" };
const pods = resourceType("pods", "Pod", { shortNames: ["po"] });
const nodes = resourceType("nodes", "Node", { namespaced: false, shortNames: ["no"] });
const deployments = resourceType("deployments", "Deployment", { group: "apps", shortNames: ["deploy"] });
const widgets = resourceType("widgets", "Deployment", { group: "example.com", version: "v1alpha1" });
const types: ResourceType[] = [pods, nodes, deployments, widgets];

function object(
  type: ResourceType,
  name: string,
  namespace: string | undefined,
  labels: Record<string, string> = {},
): KubeObject {
  const apiVersion = type.group === "" ? type.version : `${type.group}/${type.version}`;
  return {
    apiVersion,
    kind: type.kind,
    metadata: {
      name,
      uid: `${type.resource}-${namespace ?? ""}-${name}`,
      resourceVersion: "1",
      labels,
      ...(namespace === undefined ? {} : { namespace }),
    },
  };
}

function filled(): ResourceGraph {
  const graph = new ResourceGraph({ resourceTypes: () => types });
  for (const cluster of [a, b]) graph.addCluster(cluster);
  for (let i = 0; i < 6; i++)
    graph.upsert(a, pods, object(pods, `web-${i}`, i < 4 ? "default" : "prod", { app: "web" }));
  for (let i = 0; i < 3; i++) graph.upsert(b, pods, object(pods, `db-${i}`, "default", { app: "db" }));
  graph.upsert(a, nodes, object(nodes, "node-1", undefined));
  graph.upsert(a, deployments, object(deployments, "web", "default"));
  graph.upsert(a, widgets, object(widgets, "web", "default"));
  return graph;
}

describe("one object by its identity", () => {
  const graph = filled();

  it("finds an object by any name kubectl takes for its kind", async () => {
    for (const kind of ["Pod", "pods", "pod", "po", "pods.v1."])
      expect(
        graph.find({ clusterId: "c-a", apiVersion: "v1", kind, namespace: "default", name: "web-1" })?.uid,
      ).toBe("pods-default-web-1");
    expect(
      graph.find({
        clusterId: "c-a",
        apiVersion: "apps/v1",
        kind: "deploy",
        namespace: "default",
        name: "web",
      })?.kind,
    ).toBe("Deployment");
    // The other group's Deployment, under the same name and namespace.
    expect(
      graph.find({
        clusterId: "c-a",
        apiVersion: "example.com/v1alpha1",
        kind: "Deployment",
        namespace: "default",
        name: "web",
      })?.uid,
    ).toBe("widgets-default-web");
  });

  it("finds a cluster-scoped object without a namespace, and gives undefined for what is absent", () => {
    expect(graph.find({ clusterId: "c-a", apiVersion: "v1", kind: "no", name: "node-1" })?.name).toBe(
      "node-1",
    );
    expect(
      graph.find({ clusterId: "c-a", apiVersion: "v1", kind: "no", namespace: "", name: "node-1" })?.name,
    ).toBe("node-1");
    expect(
      graph.find({ clusterId: "c-b", apiVersion: "v1", kind: "pod", namespace: "default", name: "web-1" }),
    ).toBeUndefined();
    expect(
      graph.find({ clusterId: "c-a", apiVersion: "v1", kind: "pod", namespace: "prod", name: "web-1" }),
    ).toBeUndefined();
  });

  it("refuses an unknown cluster, apiVersion or kind as filters do, and a kind not served at the apiVersion", () => {
    const find = (identity: Partial<Parameters<ResourceGraph["find"]>[0]>) => () =>
      graph.find({ clusterId: "c-a", apiVersion: "v1", kind: "pod", name: "x", ...identity });
    expect(find({ clusterId: "c-z" })).toThrow(FilterError);
    expect(find({ clusterId: "c-z" })).toThrow(/clusterIds: no cluster has the id "c-z"/);
    expect(find({ apiVersion: "app/v1" })).toThrow(/apiVersions: no resource type is served at "app\/v1"/);
    expect(find({ kind: "pdo" })).toThrow(/kinds: the server doesn't have a resource type "pdo"/);
    expect(find({ kind: "deploy" })).toThrow('kind: "deploy" is not served at apiVersion "v1"');
  });
});

describe("counts grouped under a filter", () => {
  const graph = filled();
  const count = (filter: ResourceFilter, by: "KIND" | "NAMESPACE" | "CLUSTER") =>
    graph.countInSlices(filter, by);

  it("groups by kind (apiVersion and kind), the largest first and then by key", async () => {
    expect(await count({}, "KIND")).toEqual<ResourceCount[]>([
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "Pod", count: 9 },
      { clusterId: null, namespace: null, apiVersion: "apps/v1", kind: "Deployment", count: 1 },
      { clusterId: null, namespace: null, apiVersion: "example.com/v1alpha1", kind: "Deployment", count: 1 },
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "Node", count: 1 },
    ]);
  });

  it("groups by namespace and by cluster, cluster-scoped objects under the empty namespace", async () => {
    expect(await count({}, "NAMESPACE")).toEqual([
      { clusterId: null, namespace: "default", apiVersion: null, kind: null, count: 9 },
      { clusterId: null, namespace: "prod", apiVersion: null, kind: null, count: 2 },
      { clusterId: null, namespace: "", apiVersion: null, kind: null, count: 1 },
    ]);
    expect(await count({ kinds: ["pods"] }, "CLUSTER")).toEqual([
      { clusterId: "c-a", namespace: null, apiVersion: null, kind: null, count: 6 },
      { clusterId: "c-b", namespace: null, apiVersion: null, kind: null, count: 3 },
    ]);
  });

  it("answers index-only filters and scanning filters alike", async () => {
    const byIndexes = await count(
      { namespaces: ["default"], kinds: ["Pod"], clusterIds: ["c-a"] },
      "NAMESPACE",
    );
    // A label selector (and a search) make it scan: the same objects give the same counts.
    const byScan = await count(
      { namespaces: ["default"], kinds: ["Pod"], clusterIds: ["c-a"], labelSelector: "app", search: "web" },
      "NAMESPACE",
    );
    expect(byIndexes).toEqual([
      { clusterId: null, namespace: "default", apiVersion: null, kind: null, count: 4 },
    ]);
    expect(byScan).toEqual(byIndexes);
    expect(await count({ labelSelector: "app=db" }, "CLUSTER")).toEqual([
      { clusterId: "c-b", namespace: null, apiVersion: null, kind: null, count: 3 },
    ]);
  });

  it("follows objects as they come, change and go", async () => {
    const live = filled();
    live.upsert(a, pods, {
      ...object(pods, "web-0", "default"),
      metadata: { ...object(pods, "web-0", "default").metadata, resourceVersion: "2" },
    });
    live.delete(a, pods, object(pods, "web-1", "default"));
    live.delete(a, nodes, object(nodes, "node-1", undefined));
    live.removeCluster(b);
    expect(await live.countInSlices({}, "KIND")).toEqual([
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "Pod", count: 5 },
      { clusterId: null, namespace: null, apiVersion: "apps/v1", kind: "Deployment", count: 1 },
      { clusterId: null, namespace: null, apiVersion: "example.com/v1alpha1", kind: "Deployment", count: 1 },
    ]);
  });

  it("refuses the filters that lists refuse", async () => {
    await expect(count({ kinds: ["pdo"] }, "KIND")).rejects.toThrow(FilterError);
  });
});
