// What Meshery's connectionID / k8scontextID / k8sClusterID name here: a cluster meshsync syncs, by its
// id (kube-system's uid, Cluster.id) or by its name (the kubeconfig context). Meshery's own resolvers
// took "all" (and, from older UIs, [""]) for every cluster; so does this.
import { listExcerpt, quoteExcerpt } from "../../graph/index.js";
import type { ApiContext } from "../context.js";
import { badInput } from "../errors.js";

/** A cluster the client named, and the id or name it named it by (what events echo back to it). */
export interface NamedCluster {
  id: string;
  name: string;
  namedAs: string;
}

/** The most ids one argument may list; far more clusters than one server syncs. */
export const maxClusterIds = 100;
const maxIdLength = 256;

/** Every cluster this server knows now: those it syncs when it syncs any, else those the graph holds. */
export function knownClusters(context: ApiContext): { id: string; name: string }[] {
  if (context.clusterHealth === undefined) return context.graph.clusters();
  return context
    .clusterHealth()
    .flatMap((health) => (health.id === undefined ? [] : [{ id: health.id, name: health.name }]));
}

/** "id (name), …": what an error about an unknown cluster lists. */
export function knownClustersText(context: ApiContext): string {
  const known = knownClusters(context).map((cluster) => `${cluster.id} (${cluster.name})`);
  return known.length === 0 ? "none yet" : listExcerpt(known);
}

/** The ids of every spelling of one argument that the client gave, together. */
export function idsOf(...spellings: (readonly (string | null)[] | null | undefined)[]): string[] {
  const ids: string[] = [];
  for (const list of spellings) {
    for (const id of list ?? []) if (typeof id === "string") ids.push(id);
  }
  if (ids.length > maxClusterIds) {
    throw badInput(`at most ${maxClusterIds} cluster ids may be given; got ${ids.length}`);
  }
  for (const id of ids) {
    if (id.length > maxIdLength) throw badInput(`cluster id ${quoteExcerpt(id)} is too long`);
  }
  return ids;
}

/**
 * The clusters the ids name, each once, and the ids that name none. No ids, "all" or only empty ids
 * select every known cluster, each named by its id.
 */
export function selectClusters(
  context: ApiContext,
  ids: readonly string[],
): { clusters: NamedCluster[]; unknown: string[] } {
  const known = knownClusters(context);
  const given = ids.filter((id) => id !== "");
  if (given.length === 0 || given.includes("all")) {
    return { clusters: known.map((cluster) => ({ ...cluster, namedAs: cluster.id })), unknown: [] };
  }
  const clusters: NamedCluster[] = [];
  const unknown: string[] = [];
  for (const id of given) {
    const cluster = known.find((c) => c.id === id) ?? known.find((c) => c.name === id);
    if (cluster === undefined) unknown.push(id);
    else if (!clusters.some((c) => c.id === cluster.id)) clusters.push({ ...cluster, namedAs: id });
  }
  return { clusters, unknown };
}

/** The one cluster an id names, or a client error that lists the known ones. */
export function oneCluster(context: ApiContext, argument: string, id: string): NamedCluster {
  const { clusters } = selectClusters(context, [id]);
  const only = clusters.length === 1 ? clusters[0] : undefined;
  if (id !== "" && id !== "all" && only !== undefined) return only;
  if (id === "" || id === "all") {
    if (only !== undefined) return only;
    throw badInput(`${argument} must name one cluster; known clusters: ${knownClustersText(context)}`);
  }
  throw badInput(
    `${argument} ${quoteExcerpt(id)} names no cluster this server syncs (by id or context name); known clusters: ${knownClustersText(context)}`,
  );
}

/**
 * The one id a field's alternative spellings give: the first given. None given is "" (the only cluster,
 * as the first Meshery versions, which knew one, asked without an id).
 */
export function oneIdOf(spellings: Record<string, string | null | undefined>): {
  argument: string;
  id: string;
} {
  for (const [argument, id] of Object.entries(spellings)) {
    if (typeof id === "string") return { argument, id };
  }
  return { argument: Object.keys(spellings)[0] ?? "id", id: "" };
}
