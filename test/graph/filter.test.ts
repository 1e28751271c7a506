import { describe, expect, it } from "vitest";
import { labelSelectorOf } from "../../src/graph/filter.js";
import { FilterError, filterCost, ResourceGraph } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import { refusal } from "./refusal.js";
import { resourceType } from "./resource-types.js";

const cluster: ClusterRef = { id: "cluster-a", name: "ctx-a" };

function object(
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
): KubeObject {
  return { metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", labels }, spec };
}

function graphWith(...entries: [ReturnType<typeof resourceType>, KubeObject][]): ResourceGraph {
  const graph = new ResourceGraph();
  for (const [type, obj] of entries) graph.upsert(cluster, type, obj);
  return graph;
}

const names = (graph: ResourceGraph, fieldSelector: string) =>
  graph.list({ fieldSelector }).items.map((r) => r.name);

describe("filters, with the selector semantics the simulator shares", () => {
  it("selects Services on spec.type and spec.clusterIP, as the real server does", () => {
    const services = resourceType("services", "Service");
    const graph = graphWith(
      [services, object("lb", { type: "LoadBalancer", clusterIP: "10.96.0.7" })],
      [services, object("plain", { type: "ClusterIP", clusterIP: "10.96.0.8" })],
    );
    expect(names(graph, "spec.type=LoadBalancer")).toEqual(["lb"]);
    expect(names(graph, "spec.clusterIP=10.96.0.8")).toEqual(["plain"]);
  });

  it("gives a custom resource whose kind is Pod none of Pod's fields", () => {
    const pods = resourceType("pods", "Pod");
    const customPods = resourceType("pods", "Pod", { group: "example.com" });
    const graph = graphWith(
      [pods, object("real", { nodeName: "node-1" })],
      [customPods, object("custom", { nodeName: "node-1" })],
    );
    expect(names(graph, "spec.nodeName=node-1")).toEqual(["real"]);
    expect(graph.list({ kinds: ["Pod"] }).items.find((r) => r.name === "custom")?.fields).toEqual({});
  });

  it("reads an unset hostNetwork as false, and a Pod's old spec.host as spec.nodeName", () => {
    const graph = graphWith([resourceType("pods", "Pod"), object("p", { nodeName: "node-1" })]);
    expect(names(graph, "spec.hostNetwork=false")).toEqual(["p"]);
    expect(names(graph, "spec.host=node-1")).toEqual(["p"]);
  });

  it("refuses a selector with more requirements than the bound, with a short message", () => {
    const graph = new ResourceGraph();
    const huge = Array.from({ length: 3000 }, (_, i) => `key-${i}=value-${i}`).join(",");
    expect(() => graph.list({ labelSelector: huge })).toThrow(
      new FilterError("label selector has more than 100 requirements"),
    );
    const fields = Array.from({ length: 3000 }, (_, i) => `metadata.name=n${i}`).join(",");
    expect(() => graph.list({ fieldSelector: fields })).toThrow(
      "field selector has more than 100 requirements",
    );
  });

  it("quotes at most an excerpt of a bad or oversized selector", () => {
    const graph = new ResourceGraph();
    for (const filter of [
      { labelSelector: `app=${"x".repeat(50_000)} y` },
      { fieldSelector: "x".repeat(50_000) },
      { labelSelector: "x".repeat(900_000) },
      { fieldSelector: `${"x".repeat(900_000)}=1` },
    ]) {
      let message = "";
      try {
        graph.list(filter);
      } catch (error) {
        expect(error).toBeInstanceOf(FilterError);
        message = (error as Error).message;
      }
      expect(message).toMatch(/^(label|field) selector/);
      expect(message).toMatch(/… \(\d+ characters\)/);
      expect(message.length).toBeLessThan(300);
    }
  });

  it("compiles the same selector text once, however many filters carry it", () => {
    expect(labelSelectorOf({ labelSelector: "app=web,tier in (a,b)" })).toBe(
      labelSelectorOf({ labelSelector: "app=web,tier in (a,b)" }),
    );
  });

  it("tells what one evaluation of a filter costs", () => {
    expect(filterCost({})).toBe(0);
    expect(
      filterCost({ kinds: ["Pod"], labelSelector: "app in (a,b),!legacy", fieldSelector: "spec.type=x" }),
    ).toBe(1 + 4 + 1);
    expect(() => filterCost({ labelSelector: "app in (" })).toThrow(FilterError);
  });
});

describe("a field label refused names the fields of the kinds filtered", () => {
  const pods = resourceType("pods", "Pod");
  const services = resourceType("services", "Service");
  const nodes = resourceType("nodes", "Node", { namespaced: false });
  const widgets = resourceType("widgets", "Widget", { group: "example.com" });
  const graph = graphWith(
    [pods, object("p", { nodeName: "node-1" })],
    [services, object("s", { type: "ClusterIP" })],
    [nodes, { metadata: { name: "n", uid: "uid-n", resourceVersion: "1" } }],
    [widgets, object("w", { color: "blue" })],
  );
  const podFields =
    "metadata.name, metadata.namespace, spec.host, spec.hostNetwork, spec.nodeName, spec.restartPolicy, " +
    "spec.schedulerName, spec.serviceAccountName, status.nominatedNodeName, status.phase, status.podIP, status.podIPs";

  it("lists the kind's own fields, as the server refuses a label per kind", () => {
    expect(refusal(graph, { kinds: ["Pod"], fieldSelector: "spec.foo=x" })).toBe(
      `field selector: field label not supported: spec.foo; Pod supports ${podFields}`,
    );
    // Another kind's field is no field of a Pod's, where a filter across kinds would take it.
    expect(refusal(graph, { kinds: ["pods"], fieldSelector: "spec.type=ClusterIP" })).toBe(
      `field selector: field label not supported: spec.type; Pod supports ${podFields}`,
    );
    expect(names(graph, "spec.type=ClusterIP")).toEqual(["s"]);
  });

  it("holds a label to every kind filtered, and names the one that lacks it", () => {
    expect(refusal(graph, { kinds: ["pods", "service"], fieldSelector: "spec.nodeName=node-1" })).toBe(
      "field selector: field label not supported: spec.nodeName; Service supports metadata.name, metadata.namespace, spec.clusterIP, spec.type",
    );
    expect(refusal(graph, { kinds: ["Node"], fieldSelector: "metadata.namespace=default" })).toBe(
      "field selector: field label not supported: metadata.namespace; Node supports metadata.name, spec.unschedulable",
    );
    expect(refusal(graph, { kinds: ["widgets"], fieldSelector: "spec.color=blue" })).toBe(
      "field selector: field label not supported: spec.color; Widget.example.com supports metadata.name, metadata.namespace",
    );
  });

  it("says which fields every kind has when the filter names no kind", () => {
    expect(refusal(graph, { fieldSelector: "spec.foo=x" })).toBe(
      "field selector: field label not supported: spec.foo; every kind has metadata.name and metadata.namespace; name a kind in kinds for the fields it has besides",
    );
  });

  it("selects on the fields of the kinds named, aliases included", () => {
    expect(
      graph.list({ kinds: ["Pod"], fieldSelector: "spec.host=node-1" }).items.map((r) => r.name),
    ).toEqual(["p"]);
    expect(
      graph.list({ kinds: ["Pod", "Widget"], fieldSelector: "metadata.name=w" }).items.map((r) => r.name),
    ).toEqual(["w"]);
  });

  it("quotes an excerpt of a long refused label", () => {
    const message = refusal(graph, { kinds: ["Pod"], fieldSelector: `${"x".repeat(50_000)}=1` });
    expect(message).toMatch(
      /^field selector: field label not supported: x+… \(50000 characters\); Pod supports/,
    );
    expect(message.length).toBeLessThan(400);
  });
});
