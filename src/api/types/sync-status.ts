import { apiVersionOf } from "@meshsync/k8s";
import type { TypeSyncStatus } from "../../kube/index.js";
import { builder } from "../builder.js";

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

builder.queryField("syncStatus", (t) =>
  t.field({
    type: [TypeSyncObject],
    description: "Sync status of every watched type, per cluster.",
    args: { clusterIds: t.arg.idList({ description: "Only these clusters; every cluster when absent." }) },
    resolve: (_root, args, context) => {
      const wanted =
        args.clusterIds && args.clusterIds.length > 0 ? new Set(args.clusterIds.map(String)) : null;
      return context.syncStatus().filter((s) => wanted === null || wanted.has(s.clusterId));
    },
  }),
);
