import { ResourceGraph, type StoredResource } from "../../../src/graph/index.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { type TypeName, types } from "./objects.js";

export const clusterA = { id: "cluster-a", name: "ctx-a" };

export function graphWith(
  options: { relationRules?: readonly unknown[]; builtinRelations?: boolean } = {},
): ResourceGraph {
  return new ResourceGraph({ resourceTypes: () => Object.values(types), ...options });
}

export function feed(graph: ResourceGraph, ...objects: [TypeName, KubeObject][]): void {
  for (const [type, object] of objects) graph.upsert(clusterA, types[type], object);
}

const label = (r: StoredResource) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`;

/** Every edge of the graph as `type Kind/ns/name -> Kind/ns/name`, sorted. */
export function allEdges(graph: ResourceGraph, types?: string[]): string[] {
  const wanted = types ? new Set(types) : undefined;
  const out = new Set<string>();
  for (const r of graph.list().items)
    for (const edge of graph.edges(r, "OUT", wanted))
      out.add(`${edge.type} ${label(edge.from)} -> ${label(edge.to)}`);
  return [...out].sort();
}

export function edgesOf(graph: ResourceGraph, r: StoredResource, direction: "OUT" | "IN" | "BOTH" = "BOTH") {
  return graph
    .edges(r, direction)
    .map((edge) => `${edge.type} ${label(edge.from)} -> ${label(edge.to)}`)
    .sort();
}

export function find(graph: ResourceGraph, kind: string, name: string): StoredResource {
  const found = graph.list({ kinds: [kind], names: [name] }).items[0];
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}
