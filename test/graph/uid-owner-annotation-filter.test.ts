import { describe, expect, it } from "vitest";
import { projectChange } from "../../src/api/index.js";
import {
  FilterError,
  filterCost,
  maxAnnotationMatches,
  type ResourceFilter,
  ResourceGraph,
} from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const a: ClusterRef = { id: "c-a", name: "a" };
const b: ClusterRef = { id: "c-b", name: "b" };
const pods = resourceType("pods", "Pod");

function pod(
  name: string,
  options: { uid?: string; owners?: string[]; annotations?: Record<string, string>; rv?: string } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: options.uid ?? `uid-${name}`,
      resourceVersion: options.rv ?? "1",
      annotations: options.annotations ?? {},
      ownerReferences: (options.owners ?? []).map((uid) => ({
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: `rs-${uid}`,
        uid,
        controller: true,
      })),
    },
  };
}

function graphWith(): ResourceGraph {
  const graph = new ResourceGraph();
  graph.upsert(
    a,
    pods,
    pod("p1", { owners: ["rs-1"], annotations: { team: "blue", "example.com/tier": "web" } }),
  );
  graph.upsert(a, pods, pod("p2", { owners: ["rs-1", "rs-2"], annotations: { team: "red" } }));
  graph.upsert(a, pods, pod("p3", { owners: ["rs-2"] }));
  graph.upsert(b, pods, pod("q1", { uid: "uid-p1", owners: ["rs-1"], annotations: { team: "blue" } }));
  return graph;
}

const names = (graph: ResourceGraph, filter: ResourceFilter) =>
  graph.list(filter).items.map((r) => `${r.clusterId}/${r.name}`);

describe("filters by uid, owner and annotation", () => {
  const graph = graphWith();

  it("selects by uid in every cluster the filter allows", () => {
    expect(names(graph, { uids: ["uid-p1", "uid-p3", "nothing"] })).toEqual(["c-a/p1", "c-a/p3", "c-b/q1"]);
    expect(names(graph, { uids: ["uid-p1"], clusterIds: ["c-b"] })).toEqual(["c-b/q1"]);
    // The uid index is the candidate set: what it reads is what the filter names.
    expect(graph.scanSize({ uids: ["uid-p1"] })).toBe(2);
  });

  it("selects what the owners own, each object once however many of its owners are named", () => {
    expect(names(graph, { ownerUids: ["rs-1"] })).toEqual(["c-a/p1", "c-a/p2", "c-b/q1"]);
    expect(names(graph, { ownerUids: ["rs-1", "rs-2"], clusterIds: ["c-a"] })).toEqual([
      "c-a/p1",
      "c-a/p2",
      "c-a/p3",
    ]);
    expect(graph.list({ ownerUids: ["rs-1", "rs-2"], clusterIds: ["c-a"] }).totalCount).toBe(3);
    expect(graph.scanSize({ ownerUids: ["rs-2"] })).toBe(2);
  });

  it("selects by annotation key and value, every match holding", () => {
    expect(names(graph, { annotations: [{ key: "team" }] })).toEqual(["c-a/p1", "c-a/p2", "c-b/q1"]);
    expect(names(graph, { annotations: [{ key: "team", value: "blue" }] })).toEqual(["c-a/p1", "c-b/q1"]);
    expect(
      names(graph, { annotations: [{ key: "team", value: "blue" }, { key: "example.com/tier" }] }),
    ).toEqual(["c-a/p1"]);
    // A key is an own annotation, never something every object inherits.
    expect(names(graph, { annotations: [{ key: "constructor" }] })).toEqual([]);
  });

  it("bounds the annotation matches as a selector's requirements, and costs each", () => {
    const many = Array.from({ length: maxAnnotationMatches + 1 }, (_, i) => ({ key: `k${i}` }));
    expect(() => graph.list({ annotations: many })).toThrow(FilterError);
    expect(() => graph.list({ annotations: many })).toThrow(
      `annotations: ${maxAnnotationMatches + 1} matches, at most ${maxAnnotationMatches}`,
    );
    expect(filterCost({ annotations: [{ key: "a" }, { key: "b" }], uids: ["x"], ownerUids: ["y"] })).toBe(4);
  });
});

describe("a subscription filtered by owner or annotation", () => {
  it("sees an object move out when its annotation or owner goes, and in when it comes", () => {
    const graph = graphWith();
    const byTeam = graph.matcher({ annotations: [{ key: "team", value: "blue" }] });
    const byOwner = graph.matcher({ ownerUids: ["rs-2"] });
    const from = graph.log.sequence;
    graph.upsert(a, pods, pod("p1", { owners: ["rs-2"], annotations: { team: "green" }, rv: "2" }));
    graph.upsert(a, pods, pod("p1", { owners: ["rs-2"], annotations: { team: "blue" }, rv: "3" }));
    const changes = graph.log.changesSince(from) ?? [];
    expect(changes.map((change) => projectChange(graph.log, change, byTeam)?.type)).toEqual([
      "DELETED",
      "ADDED",
    ]);
    expect(changes.map((change) => projectChange(graph.log, change, byOwner)?.type)).toEqual([
      "ADDED",
      "MODIFIED",
    ]);
  });

  it("keeps of a replaced version only what changed: unchanged maps are the new version's own", () => {
    const graph = graphWith();
    const from = graph.log.sequence;
    graph.upsert(a, pods, pod("p2", { owners: ["rs-1", "rs-2"], annotations: { team: "red" }, rv: "2" }));
    const [change] = graph.log.changesSince(from) ?? [];
    expect(change?.previous?.annotations).toBe(change?.resource.annotations);
    expect(change?.previous?.ownerReferences).toBe(change?.resource.ownerReferences);
    expect(change?.previous?.uid).toBe("uid-p2");
  });
});
