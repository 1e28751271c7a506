// resyncCluster: Meshery's "re-sync" and "flush MeshSync data" buttons. meshsync keeps no database to
// clear: a relist replaces what the graph holds of the cluster (objects that vanished are deleted), so
// clearDB and ReSync both relist, and hardReset (which dropped Meshery's own tables) has nothing to do.
import { GraphQLError } from "graphql";
import { ErrorCode } from "../codes.js";
import { badInput } from "../errors.js";
import { mesheryBuilder } from "./builder.js";
import { oneCluster, oneIdOf } from "./cluster-ids.js";
import { type MesheryStatus, StatusEnum } from "./common.js";

const ReSyncActionsInput = mesheryBuilder.inputType("ReSyncActions", {
  description: 'What to do; each is "true" or "false", as Meshery UIs send them.',
  fields: (t) => ({
    clearDB: t.string({ required: true }),
    ReSync: t.string({ required: true }),
    hardReset: t.string({ required: true }),
  }),
});

mesheryBuilder.queryField("resyncCluster", (t) =>
  t.field({
    type: StatusEnum,
    description:
      'Lists every type of the cluster again (with ReSync or clearDB "true", or no selector) and answers PROCESSING, as Meshery did. ' +
      "Meshery declares k8scontextID required; kubernetesContextID (its first spelling) and connectionID are taken too.",
    args: {
      selector: t.arg({ type: ReSyncActionsInput }),
      k8scontextID: t.arg.string(),
      kubernetesContextID: t.arg.string(),
      connectionID: t.arg.string(),
    },
    resolve: async (_root, args, context): Promise<MesheryStatus> => {
      const { argument, id } = oneIdOf({
        k8scontextID: args.k8scontextID,
        kubernetesContextID: args.kubernetesContextID,
        connectionID: args.connectionID,
      });
      const cluster = oneCluster(context, argument, id);
      const selector = args.selector;
      const relist =
        selector === null || selector === undefined || [selector.ReSync, selector.clearDB].includes("true");
      if (!relist) return "PROCESSING";
      if (context.resync === undefined) {
        throw new GraphQLError("resync is not available on this server: it syncs no cluster itself", {
          extensions: { code: ErrorCode.Unsupported },
        });
      }
      if (!(await context.resync(cluster.id)))
        throw badInput(`cluster ${cluster.id} is not synced by this server`);
      return "PROCESSING";
    },
  }),
);
