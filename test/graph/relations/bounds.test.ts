import { describe, expect, it } from "vitest";
import type { StoredResource } from "../../../src/graph/index.js";
import { neighbourhood } from "../../../src/graph/relations/index.js";
import { feed, find, graphWith } from "./graph-edges.js";
import { object, podSpec } from "./objects.js";

function hub(pods: number) {
  const graph = graphWith();
  feed(
    graph,
    ["configmaps", object("configmaps", { name: "kube-root-ca.crt" })],
    ["nodes", object("nodes", { name: "node-1" })],
  );
  for (let i = 0; i < pods; i++)
    feed(graph, ["pods", object("pods", { name: `p-${i}` }, { spec: podSpec({ node: "node-1" }) })]);
  return graph;
}

describe("bounds on reading relations", () => {
  it("finds at most `limit` edges of a hub, and all of them without one", () => {
    const graph = hub(500);
    const configMap = find(graph, "ConfigMap", "kube-root-ca.crt");
    expect(graph.edges(configMap, "IN")).toHaveLength(500);
    expect(graph.edges(configMap, "IN", undefined, 10)).toHaveLength(10);
    expect(graph.edges(configMap, "BOTH", new Set(["mounts"]), 1)).toHaveLength(1);
  });

  it("stops a walk through hubs once it has read its budget of edges, and says it was cut short", () => {
    const graph = hub(500);
    let read = 0;
    const counted = (
      r: StoredResource,
      direction: "OUT" | "IN" | "BOTH",
      types: ReadonlySet<string> | undefined,
      limit: number,
    ) => {
      const found = graph.edges(r, direction, types, limit);
      read += found.length;
      return found;
    };
    const options = { hops: 3, direction: "BOTH" as const, maxNodes: 1000, maxEdges: 4000, maxExamined: 300 };
    const walk = neighbourhood(find(graph, "Pod", "p-0"), counted, {
      ...options,
      admits: (r) => r.kind !== "Pod",
    });
    expect(read).toBeLessThanOrEqual(300);
    expect(walk.truncated).toBe(true);
    const whole = neighbourhood(find(graph, "Pod", "p-0"), counted, { ...options, maxExamined: 100_000 });
    expect(whole.truncated).toBe(false);
    expect(whole.nodes).toHaveLength(502);
  });
});
