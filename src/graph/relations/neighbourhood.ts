import type { StoredResource } from "../types.js";
import type { Edge, RelationDirection } from "./relation-index.js";

export interface NeighbourhoodOptions {
  /** How many relations away from the start to go; 0 is the start alone. */
  readonly hops: number;
  readonly direction: RelationDirection;
  readonly types?: ReadonlySet<string> | undefined;
  /** Objects the walk may enter besides the start; every object when absent. */
  readonly admits?: ((r: StoredResource) => boolean) | undefined;
  /** The most objects returned, the start included. */
  readonly maxNodes: number;
  /** The most edges returned. */
  readonly maxEdges: number;
  /**
   * The most edges read on the way, kept or not (those to objects the walk may not enter, or past the
   * node bound): what bounds the work of a walk through hubs.
   */
  readonly maxExamined: number;
}

export interface Neighbourhood {
  readonly nodes: StoredResource[];
  /** Edges between the nodes returned; each once. */
  readonly edges: Edge[];
  /** Whether a bound stopped the walk before it had seen every object within `hops`. */
  readonly truncated: boolean;
}

/**
 * The objects within `hops` relations of `start`, breadth first, and the edges between them: what a
 * topology view draws, in one round trip. Bounded in nodes and edges; a walk cut short says so.
 */
export function neighbourhood(
  start: StoredResource,
  edgesOf: (
    r: StoredResource,
    direction: RelationDirection,
    types: ReadonlySet<string> | undefined,
    limit: number,
  ) => Edge[],
  options: NeighbourhoodOptions,
): Neighbourhood {
  const nodes = new Map<string, StoredResource>([[start.key, start]]);
  const edges = new Map<string, Edge>();
  let truncated = false;
  /** Keeps an edge between two kept nodes; false once the edge bound is reached. */
  const keep = (edge: Edge): boolean => {
    const key = `${edge.type}\u0000${edge.from.key}\u0000${edge.to.key}`;
    if (edges.has(key)) return true;
    if (edges.size >= options.maxEdges) return false;
    edges.set(key, edge);
    return true;
  };
  const otherEnd = (edge: Edge, node: StoredResource) => (edge.from.key === node.key ? edge.to : edge.from);
  let examinable = options.maxExamined;
  /** The edges of a node, counted against the walk's budget; undefined once it is spent. */
  const read = (node: StoredResource): Edge[] | undefined => {
    if (examinable <= 0) return undefined;
    const found = edgesOf(node, options.direction, options.types, examinable);
    examinable -= found.length;
    return found;
  };
  let frontier = [start];
  walk: for (let hop = 0; hop < options.hops && frontier.length > 0 && !truncated; hop++) {
    const next: StoredResource[] = [];
    for (const node of frontier) {
      const found = read(node);
      if (found === undefined) {
        truncated = true;
        break walk;
      }
      for (const edge of found) {
        const other = otherEnd(edge, node);
        if (!nodes.has(other.key)) {
          if (options.admits !== undefined && !options.admits(other)) continue;
          if (nodes.size >= options.maxNodes) {
            truncated = true;
            continue;
          }
          nodes.set(other.key, other);
          next.push(other);
        }
        if (!keep(edge)) {
          truncated = true;
          break walk;
        }
      }
    }
    frontier = next;
  }
  // The last hop's objects may have edges among themselves that no walk crossed: add them, so what
  // is drawn is the whole subgraph the nodes span.
  if (!truncated)
    last: for (const node of frontier) {
      const found = read(node);
      if (found === undefined) {
        truncated = true;
        break;
      }
      for (const edge of found)
        if (nodes.has(otherEnd(edge, node).key) && !keep(edge)) {
          truncated = true;
          break last;
        }
    }
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}
