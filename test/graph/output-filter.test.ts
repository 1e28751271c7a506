import { describe, expect, it } from "vitest";
import { filterSink, ResourceGraph } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const cluster: ClusterRef = { id: "c", name: "c" };
const pods = resourceType("pods", "Pod");
const nodes = resourceType("nodes", "Node", { namespaced: false });
const deployments = resourceType("deployments", "Deployment", { group: "apps" });
const obj = (name: string, namespace?: string): KubeObject => ({
  metadata: {
    name,
    uid: `${namespace ?? ""}-${name}`,
    resourceVersion: "1",
    ...(namespace ? { namespace } : {}),
  },
});

/** A relist as a reflector hands it over: each object upserted, then what it held retained. */
function relist(sink: ResourceEventSink, type: ResourceType, objects: KubeObject[]): void {
  for (const object of objects) sink.upsert(cluster, type, object);
  sink.retain(cluster, type, new Set(objects.map((object) => object.metadata?.uid ?? "")));
}

describe("filterSink", () => {
  it("keeps only the chosen namespaces, and cluster-scoped objects", () => {
    const graph = new ResourceGraph();
    const sink = filterSink(graph, { namespaces: ["app"], resources: [] });
    relist(sink, pods, [obj("a", "app"), obj("b", "kube-system")]);
    sink.upsert(cluster, pods, obj("c", "other"));
    sink.upsert(cluster, nodes, obj("node-1"));
    expect(
      graph
        .list()
        .items.map((r) => r.name)
        .sort(),
    ).toEqual(["a", "node-1"]);
  });

  it("keeps only the chosen types, named by kind, plural or MeshSync type name", () => {
    const graph = new ResourceGraph();
    const sink = filterSink(graph, { namespaces: [], resources: ["pod", "deployments.v1.apps"] });
    sink.upsert(cluster, pods, obj("p", "ns"));
    sink.upsert(cluster, deployments, obj("d", "ns"));
    sink.upsert(cluster, nodes, obj("n"));
    sink.delete(cluster, nodes, obj("n"));
    expect(
      graph
        .list()
        .items.map((r) => r.kind)
        .sort(),
    ).toEqual(["Deployment", "Pod"]);
  });

  it("passes deletes and relist diffs through for what it keeps", () => {
    const graph = new ResourceGraph();
    const sink = filterSink(graph, { namespaces: ["app"], resources: [] });
    relist(sink, pods, [obj("a", "app"), obj("b", "app")]);
    sink.delete(cluster, pods, obj("a", "app"));
    relist(sink, pods, [obj("c", "app"), obj("x", "elsewhere")]);
    expect(graph.list().items.map((r) => r.name)).toEqual(["c"]);
  });

  it("is the sink itself when nothing is filtered", () => {
    const graph = new ResourceGraph();
    expect(filterSink(graph, { namespaces: [], resources: [] })).toBe(graph);
  });
});
