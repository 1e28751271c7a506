import { GraphQLError } from "graphql";
import type { ClusterRef } from "../../kube/index.js";
import { builder } from "../builder.js";
import { ErrorCode } from "../codes.js";
import type { ApiContext } from "../context.js";

export const ClusterObject = builder.objectRef<ClusterRef>("Cluster").implement({
  description: "A watched Kubernetes cluster.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The uid of the cluster's kube-system namespace." }),
    name: t.exposeString("name", { description: "The kubeconfig context the cluster was reached through." }),
  }),
});

/** The cluster a resource belongs to; a cluster the graph has not been told about shows its id as name. */
export function clusterById(context: ApiContext, clusterId: string): ClusterRef {
  return context.graph.clusters().find((c) => c.id === clusterId) ?? { id: clusterId, name: clusterId };
}

builder.queryField("clusters", (t) =>
  t.field({
    type: [ClusterObject],
    description: "Every cluster the graph holds objects for.",
    resolve: (_root, _args, context) => context.graph.clusters(),
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
