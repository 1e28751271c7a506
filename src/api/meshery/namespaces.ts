// getAvailableNamespaces: the namespaces of the named clusters, as Meshery listed them for its
// namespace pickers: the Namespace objects, and any namespace objects are in (when Namespaces
// themselves are not synced, e.g. under --outputResources).
import { FilterError } from "../../graph/index.js";
import type { ApiContext } from "../context.js";
import { costOf } from "../cost.js";
import { mesheryBuilder } from "./builder.js";
import { idsOf, selectClusters } from "./cluster-ids.js";

export interface NameSpace {
  namespace: string;
}

/** More namespaces than any cluster has; past this the list is cut. */
export const maxListedNamespaces = 10_000;

export async function namespacesOf(context: ApiContext, clusterIds: readonly string[]): Promise<NameSpace[]> {
  const inGraph = new Set(context.graph.clusters().map((cluster) => cluster.id));
  const ids = clusterIds.filter((id) => inGraph.has(id));
  if (ids.length === 0) return [];
  const names = new Set<string>();
  try {
    const page = await context.graph.listInSlices(
      { clusterIds: ids, kinds: ["Namespace"] },
      { first: maxListedNamespaces },
    );
    for (const item of page.items) names.add(item.name);
  } catch (error) {
    // No cluster serves Namespaces to this graph: the namespaces objects are in still say something.
    if (!(error instanceof FilterError)) throw error;
  }
  for (const { namespace } of await context.graph.countInSlices({ clusterIds: ids }, "NAMESPACE")) {
    if (namespace !== null && namespace !== "") names.add(namespace);
  }
  return [...names]
    .sort()
    .slice(0, maxListedNamespaces)
    .map((namespace) => ({ namespace }));
}

const NameSpaceObject = mesheryBuilder.objectRef<NameSpace>("NameSpace").implement({
  description: "A Kubernetes namespace.",
  fields: (t) => ({ namespace: t.exposeString("namespace") }),
});

mesheryBuilder.queryField("getAvailableNamespaces", (t) =>
  t.field({
    type: [NameSpaceObject],
    description: 'The namespaces of these clusters (ids or context names; none or "all": every one), sorted.',
    extensions: costOf({ size: 100 }),
    args: { k8sClusterIDs: t.arg.stringList() },
    resolve: (_root, args, context) => {
      const { clusters } = selectClusters(context, idsOf(args.k8sClusterIDs));
      return namespacesOf(
        context,
        clusters.map((cluster) => cluster.id),
      );
    },
  }),
);
