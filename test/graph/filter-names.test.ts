import { describe, expect, it } from "vitest";
import { type ResourceFilter, ResourceGraph } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";
import { refusal } from "./refusal.js";
import { resourceType } from "./resource-types.js";

const cluster: ClusterRef = { id: "cluster-a", name: "ctx-a" };

const pods = resourceType("pods", "Pod", { singularName: "pod", shortNames: ["po"] });
const deployments = resourceType("deployments", "Deployment", { group: "apps", shortNames: ["deploy"] });
const coreEvents = resourceType("events", "Event", { shortNames: ["ev"] });
const events = resourceType("events", "Event", { group: "events.k8s.io", shortNames: ["ev"] });
const widgets = resourceType("widgets", "Widget", { group: "example.com", version: "v1alpha1" });

function object(type: ResourceType, name: string): KubeObject {
  return {
    apiVersion: type.group === "" ? type.version : `${type.group}/${type.version}`,
    kind: type.kind,
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${type.group}-${type.resource}-${name}`,
      resourceVersion: "1",
    },
  };
}

function graphOf(...types: ResourceType[]): ResourceGraph {
  const graph = new ResourceGraph();
  for (const type of types) graph.upsert(cluster, type, object(type, `${type.resource}-1`));
  return graph;
}

const uidsOf = (graph: ResourceGraph, filter: ResourceFilter) => graph.list(filter).items.map((r) => r.uid);

describe("kinds named as kubectl names resource types", () => {
  const graph = graphOf(pods, deployments, coreEvents, events, widgets);

  it("selects a type by its kind, plural, singular or short name, in any case", () => {
    const expected = uidsOf(graph, { kinds: ["Pod"] });
    expect(expected).toEqual(["uid--pods-pods-1"]);
    for (const name of ["pods", "pod", "po", "PODS", "Po"])
      expect(uidsOf(graph, { kinds: [name] })).toEqual(expected);
    for (const name of [
      "Deployment",
      "deployments",
      "deploy",
      "deployments.apps",
      "deploy.apps",
      "Deployment.apps",
    ])
      expect(uidsOf(graph, { kinds: [name] })).toEqual(["uid-apps-deployments-deployments-1"]);
  });

  it("selects every group's type for a name several groups serve, and one when the group is named", () => {
    expect(uidsOf(graph, { kinds: ["events"] }).sort()).toEqual([
      "uid--events-events-1",
      "uid-events.k8s.io-events-events-1",
    ]);
    expect(uidsOf(graph, { kinds: ["ev.events.k8s.io"] })).toEqual(["uid-events.k8s.io-events-events-1"]);
    expect(uidsOf(graph, { kinds: ["events.v1."] })).toEqual(["uid--events-events-1"]);
  });

  it("matches a named version exactly, and a named group at whatever version its objects come", () => {
    expect(uidsOf(graph, { kinds: ["widgets.v1alpha1.example.com"] })).toHaveLength(1);
    expect(uidsOf(graph, { kinds: ["Widget.example.com"] })).toHaveLength(1);
    const moved = object(widgets, "widgets-2");
    moved.apiVersion = "example.com/v1";
    graph.upsert(cluster, widgets, moved);
    expect(uidsOf(graph, { kinds: ["Widget.example.com"] })).toHaveLength(2);
    expect(uidsOf(graph, { kinds: ["widgets.v1alpha1.example.com"] })).toHaveLength(1);
  });

  it("refuses a kind no type answers to, naming it and the nearest known name", () => {
    expect(refusal(graph, { kinds: ["Pod", "pdo"] })).toBe(
      'kinds: the server doesn\'t have a resource type "pdo"; did you mean "Pod"?',
    );
    expect(refusal(graph, { kinds: ["deploymnets.apps"] })).toMatch(/did you mean "deployments.apps"\?$/);
    expect(refusal(graph, { kinds: ["deployments.extensions"] })).toBe(
      'kinds: the server doesn\'t have a resource type "deployments.extensions"',
    );
  });

  it("names at most a few of ten thousand unknown kinds, in a short line", () => {
    const kinds = Array.from({ length: 10_000 }, (_, i) => `${"k".repeat(200)}${i}`);
    const message = refusal(graph, { kinds: ["Pod", "pdo", ...kinds] });
    expect(message).toMatch(
      /^kinds: the server doesn't have resource types "pdo", "k+"… \(201 characters\), /,
    );
    expect(message).toContain("and 9996 more");
    expect(message).toMatch(/did you mean "Pod" for "pdo"\?$/);
    expect(message.length).toBeLessThan(800);
    expect(message).not.toContain("\n");
  });

  it("says that nothing is known yet when no type has been discovered", () => {
    expect(refusal(new ResourceGraph(), { kinds: ["Pod"] })).toBe(
      'kinds: no resource types are known yet (discovery has not finished), so "Pod" cannot be resolved',
    );
  });

  it("refuses an apiVersion and a cluster id that nothing has, with a suggestion where one is close", () => {
    expect(uidsOf(graph, { apiVersions: ["apps/v1"] })).toHaveLength(1);
    expect(refusal(graph, { apiVersions: ["app/v1"] })).toBe(
      'apiVersions: no resource type is served at "app/v1"; did you mean "apps/v1"?',
    );
    expect(uidsOf(graph, { clusterIds: ["cluster-a"] }).length).toBeGreaterThan(0);
    expect(refusal(graph, { clusterIds: ["cluster-b"] })).toBe(
      'clusterIds: no cluster has the id "cluster-b"; did you mean "cluster-a"?',
    );
    expect(refusal(graph, { clusterIds: ["5d1e…"] })).toBe(
      'clusterIds: no cluster has the id "5d1e…"; the clusters are "cluster-a"',
    );
  });

  it("resolves a subscription's kinds when it starts, and refuses one not served yet", () => {
    const live = graphOf(pods);
    expect(() => live.matcher({ kinds: ["widgets"] })).toThrow(
      'kinds: the server doesn\'t have a resource type "widgets"',
    );
    const matches = live.matcher({ kinds: ["po"] });
    const [stored] = live.list().items;
    expect(stored && matches(stored)).toBe(true);
    live.upsert(cluster, widgets, object(widgets, "w"));
    const widget = live.list({ kinds: ["widget"] }).items[0];
    expect(widget && matches(widget)).toBe(false);
    expect(widget && live.matcher({ kinds: ["widget"] })(widget)).toBe(true);
  });
});

describe("kinds named by the types the engine watches now", () => {
  it("knows a CRD's kind while it is watched, and refuses it once it is gone", () => {
    let watched: ResourceType[] = [pods, widgets];
    const graph = new ResourceGraph({ resourceTypes: () => watched });
    graph.upsert(cluster, pods, object(pods, "p"));
    expect(uidsOf(graph, { kinds: ["widgets"] })).toEqual([]);
    graph.upsert(cluster, widgets, object(widgets, "w"));
    expect(uidsOf(graph, { kinds: ["widgets"] })).toEqual(["uid-example.com-widgets-w"]);
    graph.replace(cluster, widgets, []);
    watched = [pods];
    expect(refusal(graph, { kinds: ["widgets"] })).toBe(
      'kinds: the server doesn\'t have a resource type "widgets"',
    );
    expect(uidsOf(graph, { kinds: ["po"] })).toEqual(["uid--pods-p"]);
  });

  it("maps a type every cluster serves once, and selects its objects in each", () => {
    const other: ClusterRef = { id: "cluster-b", name: "ctx-b" };
    const graph = new ResourceGraph({ resourceTypes: () => [pods, { ...pods }] });
    graph.upsert(cluster, pods, object(pods, "p"));
    graph.upsert(other, pods, {
      ...object(pods, "p"),
      metadata: { name: "p", namespace: "default", uid: "other-p", resourceVersion: "1" },
    });
    expect(uidsOf(graph, { kinds: ["po"] }).sort()).toEqual(["other-p", "uid--pods-p"]);
  });
});
