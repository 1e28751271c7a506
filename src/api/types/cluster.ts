import { GraphQLError } from "graphql";
import type { ClusterHealth } from "../../kube/index.js";
import type { ClusterRef } from "../../kube/types.js";
import { builder } from "../builder.js";
import { ErrorCode } from "../codes.js";
import type { ApiContext } from "../context.js";

/** The health the engine reports for a cluster; undefined when this server does not sync it. */
function healthOf(context: ApiContext, cluster: ClusterRef): ClusterHealth | undefined {
  return context.clusterHealth?.().find((health) => health.id === cluster.id);
}

export const ClusterObject = builder.objectRef<ClusterRef>("Cluster").implement({
  description: "A watched Kubernetes cluster.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The uid of the cluster's kube-system namespace." }),
    name: t.exposeString("name", { description: "The kubeconfig context the cluster was reached through." }),
    reachable: t.boolean({
      nullable: true,
      description:
        "Whether its API server answers as this cluster. While it does not, the graph keeps the cluster's last known state. Null when this server does not sync the cluster itself.",
      resolve: (cluster, _args, context) => healthOf(context, cluster)?.reachable ?? null,
    }),
    since: t.string({
      nullable: true,
      description: "When `reachable` took its current value (ISO 8601).",
      resolve: (cluster, _args, context) => healthOf(context, cluster)?.since ?? null,
    }),
    lastError: t.string({
      nullable: true,
      description:
        "Why the cluster is unreachable, or why its identity cannot be checked; null while it answers.",
      resolve: (cluster, _args, context) => healthOf(context, cluster)?.lastError ?? null,
    }),
    lastContact: t.string({
      nullable: true,
      description:
        "When its API server last answered anything, a watch event or bookmark included (ISO 8601).",
      resolve: (cluster, _args, context) => healthOf(context, cluster)?.lastContact ?? null,
    }),
    synced: t.boolean({
      nullable: true,
      description:
        "Discovery has run and every watched type has finished its first list; false while the cluster is first listed (after it turned out to be another, too).",
      resolve: (cluster, _args, context) => healthOf(context, cluster)?.synced ?? null,
    }),
  }),
});

/** The cluster a resource belongs to; a cluster the graph has not been told about shows its id as name. */
export function clusterById(context: ApiContext, clusterId: string): ClusterRef {
  return context.graph.clusters().find((c) => c.id === clusterId) ?? { id: clusterId, name: clusterId };
}

builder.queryField("clusters", (t) =>
  t.field({
    type: [ClusterObject],
    description:
      "Every cluster this server syncs, under the id its API server answers with now (a cluster that came back as another shows the new id); on a server that syncs none itself, every cluster the graph holds objects for.",
    resolve: (_root, _args, context) => {
      if (context.clusterHealth === undefined) return context.graph.clusters();
      return context
        .clusterHealth()
        .flatMap((health) => (health.id === undefined ? [] : [{ id: health.id, name: health.name }]));
    },
  }),
);

builder.mutationField("resync", (t) =>
  t.boolean({
    description: "Lists every type of a cluster again; false when the cluster is unknown.",
    args: { clusterId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      if (context.resync === undefined) {
        throw new GraphQLError("resync is not available on this server", {
          extensions: { code: ErrorCode.Unsupported },
        });
      }
      return await context.resync(String(args.clusterId));
    },
  }),
);
