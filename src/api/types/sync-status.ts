import { apiVersionOf } from "@meshsync/k8s";
import type { TypeSyncStatus } from "../../kube/index.js";
import { builder } from "../builder.js";
import { costOf } from "../cost.js";
import { SyncStatusSubscription } from "../sync-status-feed.js";

const SyncPhaseEnum = builder.enumType("SyncPhase", {
  description: "What a type's reflector is doing.",
  values: ["listing", "watching", "backoff", "error", "stopped"] as const,
});

const TypeSyncObject = builder.objectRef<TypeSyncStatus>("TypeSync").implement({
  description: "How one resource type of one cluster is syncing.",
  fields: (t) => ({
    clusterId: t.exposeID("clusterId"),
    typeName: t.exposeString("typeName", { description: '"<plural>.<version>.<group>"' }),
    apiVersion: t.string({ resolve: (s) => apiVersionOf(s.resourceType) }),
    kind: t.string({ resolve: (s) => s.resourceType.kind }),
    phase: t.field({ type: SyncPhaseEnum, resolve: (s) => s.phase }),
    error: t.string({
      nullable: true,
      description: "The last failure while it lasts.",
      resolve: (s) => s.error ?? null,
    }),
    synced: t.exposeBoolean("hasSynced", { description: "The first list has reached the graph." }),
    forbidden: t.exposeBoolean("forbidden", {
      description: "The server refuses to list it (403): left out of readiness, still retried.",
    }),
    objectCount: t.exposeInt("objectCount"),
    resourceVersion: t.exposeString("resourceVersion"),
    lastEventTime: t.string({ nullable: true, resolve: (s) => s.lastEventTime ?? null }),
    relists: t.exposeInt("relistCount", { description: "Lists after the first (410s, resyncs)." }),
    watches: t.exposeInt("watchCount", { description: "Watches opened; each reconnect adds one." }),
    stalls: t.exposeInt("stallCount", { description: "Streams restarted for staying silent too long." }),
    skipped: t.exposeInt("skippedCount", { description: "Malformed watch lines or objects skipped." }),
  }),
});

function clusterSet(clusterIds: readonly (string | number)[] | null | undefined): Set<string> | undefined {
  return clusterIds && clusterIds.length > 0 ? new Set(clusterIds.map(String)) : undefined;
}

builder.queryField("syncStatus", (t) =>
  t.field({
    type: [TypeSyncObject],
    description: "Sync status of every watched type, per cluster.",
    args: { clusterIds: t.arg.idList({ description: "Only these clusters; every cluster when absent." }) },
    resolve: (_root, args, context) => {
      const wanted = clusterSet(args.clusterIds);
      return context.syncStatus().filter((s) => wanted === undefined || wanted.has(s.clusterId));
    },
  }),
);

builder.subscriptionField("syncStatus", (t) =>
  t.field({
    type: TypeSyncObject,
    description:
      "Every watched type's TypeSync first, then a type's TypeSync whenever its phase, synced, error, forbidden, " +
      "relists, watches, stalls or skipped change, and when only its objectCount does, at most once a second. " +
      "A subscriber that falls behind is sent every type's TypeSync again.",
    extensions: costOf({}),
    args: { clusterIds: t.arg.idList({ description: "Only these clusters; every cluster when absent." }) },
    subscribe: (_root, args, context) =>
      new SyncStatusSubscription(
        context.syncStatusFeed,
        clusterSet(args.clusterIds),
        context.limits.subscriptionQueueSize,
      ),
    resolve: (status) => status,
  }),
);
