// getMeshsyncStatus: what Meshery asked the Meshery Operator about its MeshSync controller, answered by
// meshsync itself from how it syncs the cluster: ENABLED once the cluster is synced, PROCESSING while it
// is first listed, DISABLED (with the reason as `error`) while its API server does not answer.
import type { ApiContext } from "../context.js";
import { mesheryBuilder } from "./builder.js";
import { type NamedCluster, oneCluster, oneIdOf } from "./cluster-ids.js";
import { ErrorObject, type MesheryError, type MesheryStatus, StatusEnum } from "./common.js";

export interface OperatorControllerStatus {
  name: string;
  version: string;
  status: MesheryStatus;
  error: MesheryError | null;
  connectionID: string;
}

/** The Error codes this answers with; Meshery's were meshkit codes, which clients show, not parse. */
export const MeshsyncStatusCode = {
  Unreachable: "meshsync-cluster-unreachable",
} as const;

export function meshsyncStatusOf(context: ApiContext, cluster: NamedCluster): OperatorControllerStatus {
  const base = { name: "meshsync", version: context.version ?? "", connectionID: cluster.namedAs };
  const health = context.clusterHealth?.().find((h) => h.id === cluster.id);
  // A server given a graph to serve, syncing nothing itself, serves what it holds: nothing to wait for.
  if (health === undefined) return { ...base, status: "ENABLED", error: null };
  if (!health.reachable) {
    return {
      ...base,
      status: "DISABLED",
      error: {
        code: MeshsyncStatusCode.Unreachable,
        description: health.lastError ?? `the API server of ${health.name} does not answer`,
      },
    };
  }
  return { ...base, status: health.synced ? "ENABLED" : "PROCESSING", error: null };
}

const OperatorControllerStatusObject = mesheryBuilder
  .objectRef<OperatorControllerStatus>("OperatorControllerStatus")
  .implement({
    description: "The MeshSync controller of one cluster.",
    fields: (t) => ({
      name: t.exposeString("name"),
      version: t.exposeString("version"),
      status: t.field({ type: StatusEnum, resolve: (parent) => parent.status }),
      error: t.field({ type: ErrorObject, nullable: true, resolve: (parent) => parent.error }),
      connectionID: t.exposeString("connectionID"),
      contextID: t.exposeString("connectionID", {
        description: "connectionID, as older Meshery versions named it.",
      }),
    }),
  });

mesheryBuilder.queryField("getMeshsyncStatus", (t) =>
  t.field({
    type: OperatorControllerStatusObject,
    description:
      "MeshSync's status for one cluster (id or context name). Meshery declares connectionID required; k8scontextID is its older spelling.",
    args: {
      connectionID: t.arg.string(),
      k8scontextID: t.arg.string(),
    },
    resolve: (_root, args, context) => {
      const { argument, id } = oneIdOf({ connectionID: args.connectionID, k8scontextID: args.k8scontextID });
      return meshsyncStatusOf(context, oneCluster(context, argument, id));
    },
  }),
);
