import { GraphQLError } from "graphql";
import type { ClusterHealth, ClusterRef } from "../../kube/index.js";
import { builder } from "../builder.js";
import { ErrorCode } from "../codes.js";
import type { ApiContext } from "../context.js";

/** A resolver for one field of the health the engine reports; null when this server does not sync the cluster. */
function fromHealth<
  K extends "reachable" | "since" | "lastError" | "lastContact" | "synced" | "serverVersion",
>(key: K) {
  return (cluster: ClusterRef, _args: unknown, context: ApiContext): NonNullable<ClusterHealth[K]> | null =>
    context.clusterHealth?.().find((health) => health.id === cluster.id)?.[key] ?? null;
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
      resolve: fromHealth("reachable"),
    }),
    since: t.string({
      nullable: true,
      description: "When `reachable` took its current value (ISO 8601).",
      resolve: fromHealth("since"),
    }),
    lastError: t.string({
      nullable: true,
      description:
        "Why the cluster is unreachable, or why its identity cannot be checked; null while it answers.",
      resolve: fromHealth("lastError"),
    }),
    lastContact: t.string({
      nullable: true,
      description:
        "When its API server last answered anything, a watch event or bookmark included (ISO 8601).",
      resolve: fromHealth("lastContact"),
    }),
    serverVersion: t.string({
      nullable: true,
      description:
        "The API server's gitVersion (GET /version, as `kubectl version` shows it), read at connect and each time it answers again; null until known, and when this server does not sync the cluster itself.",
      resolve: fromHealth("serverVersion"),
    }),
    synced: t.boolean({
      nullable: true,
      description:
        "Discovery has run and every watched type has finished its first list; false while the cluster is first listed (after it turned out to be another, too).",
      resolve: fromHealth("synced"),
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
