import type { GraphQLResolveInfo } from "graphql";
import {
  formatTimestamp,
  hasStatusSummary,
  mapTextLength,
  type StatusSummary,
  type StoredResource,
  statusSummaryOf,
} from "../../graph/index.js";
import type { OwnerReference } from "../../kube/index.js";
import { builder } from "../builder.js";
import type { ApiContext } from "../context.js";
import { costOf } from "../cost.js";
import { asClientError, badInput } from "../errors.js";
import { RawJson } from "../raw-json.js";
import { acrossTurns, inTurnSlices } from "../turn-slices.js";
import { ClusterObject, clusterById } from "./cluster.js";
import { JsonScalar } from "./json.js";
import { ResourceFilterInput } from "./resource-filter.js";
import { ResourceOrderInput } from "./resource-order.js";

const OwnerReferenceObject = builder.objectRef<OwnerReference>("OwnerReference").implement({
  fields: (t) => ({
    apiVersion: t.exposeString("apiVersion"),
    kind: t.exposeString("kind"),
    name: t.exposeString("name"),
    uid: t.exposeString("uid"),
    controller: t.boolean({ nullable: true, resolve: (o) => o.controller ?? null }),
    blockOwnerDeletion: t.boolean({ nullable: true, resolve: (o) => o.blockOwnerDeletion ?? null }),
  }),
});

/** Counts what a field returns into the response before returning it (see ResponseMeter). */
function charged<T>(context: ApiContext, root: unknown, bytes: number, value: () => T): T {
  context.responseMeter?.charge(root, bytes);
  return value();
}

/**
 * charged, for a field whose value is parsed back from the stored text: in a query, in the turn
 * slices a page of such fields shares (src/api/turn-slices.ts); a subscription renders one change at
 * a time, in the fan-out's own slices.
 */
function parsed<T>(
  context: ApiContext,
  info: GraphQLResolveInfo,
  bytes: number,
  value: () => T,
): T | Promise<T> {
  context.responseMeter?.charge(info.rootValue, bytes);
  return info.operation.operation === "subscription" ? value() : inTurnSlices(value);
}

function topLevelField(resource: StoredResource, field: string): unknown {
  return resource.object[field] ?? null;
}

const ResourceSummaryObject = builder.objectRef<StatusSummary>("ResourceSummary").implement({
  description:
    "What kubectl's get columns say of a Pod, Node, Deployment, StatefulSet, ReplicaSet, DaemonSet or Job.",
  fields: (t) => ({
    phase: t.exposeString("phase", { nullable: true, description: "A Pod's status.phase." }),
    ready: t.exposeBoolean("ready", {
      nullable: true,
      description:
        "A Pod's or Node's Ready condition; for workloads, ready replicas equal desired ones; for a Job, its completions reached.",
    }),
    readyReplicas: t.exposeInt("readyReplicas", {
      nullable: true,
      description: "status.readyReplicas (0 when absent); a DaemonSet's numberReady; a Job's succeeded.",
    }),
    desiredReplicas: t.exposeInt("desiredReplicas", {
      nullable: true,
      description:
        "spec.replicas (1 when absent); a DaemonSet's desiredNumberScheduled; a Job's completions.",
    }),
    restarts: t.exposeInt("restarts", {
      nullable: true,
      description: "A Pod's container restarts, init containers included.",
    }),
    reason: t.exposeString("reason", {
      nullable: true,
      description:
        "What kubectl's STATUS column shows of a Pod when it says more than the phase (CrashLoopBackOff, Init:0/1, Terminating); a Node's Ready reason; a failed Job's reason.",
    }),
  }),
});

/** What a summary adds to a response, near enough: six short fields. */
const summaryBytes = 160;

// Weights for the cost rule: a whole object is worth about twenty small fields, spec or status ten.
const objectCost = costOf({ weight: 20 });
const specCost = costOf({ weight: 10 });
const mapCost = costOf({ weight: 5 });

export const ResourceNode = builder.node(builder.objectRef<StoredResource>("Resource"), {
  description: "One Kubernetes object of a watched cluster, as last seen.",
  id: { resolve: (resource) => resource.key },
  isTypeOf: (value) => value !== null && typeof value === "object" && "key" in value && "object" in value,
  fields: (t) => ({
    uid: t.exposeString("uid"),
    cluster: t.field({
      type: ClusterObject,
      resolve: (r, _args, context) => clusterById(context, r.clusterId),
    }),
    apiVersion: t.exposeString("apiVersion"),
    kind: t.exposeString("kind"),
    namespace: t.exposeString("namespace", {
      nullable: true,
      description: "Null for cluster-scoped objects.",
    }),
    name: t.exposeString("name"),
    resourceVersion: t.exposeString("resourceVersion"),
    labels: t.field({
      type: JsonScalar,
      description: "A map of label name to value.",
      extensions: costOf({ weight: 2 }),
      resolve: (r, _args, context, info) =>
        charged(context, info.rootValue, mapTextLength(r.labels), () => r.labels),
    }),
    annotations: t.field({
      type: JsonScalar,
      description: "A map of annotation name to value.",
      extensions: mapCost,
      resolve: (r, _args, context, info) =>
        charged(context, info.rootValue, mapTextLength(r.annotations), () => r.annotations),
    }),
    ownerReferences: t.field({
      type: [OwnerReferenceObject],
      extensions: costOf({ size: 2 }),
      resolve: (r) => [...r.ownerReferences],
    }),
    spec: t.field({
      type: JsonScalar,
      nullable: true,
      extensions: specCost,
      resolve: (r, _args, context, info) =>
        parsed(context, info, r.textLength, () => topLevelField(r, "spec")),
    }),
    status: t.field({
      type: JsonScalar,
      nullable: true,
      extensions: specCost,
      resolve: (r, _args, context, info) =>
        parsed(context, info, r.textLength, () => topLevelField(r, "status")),
    }),
    summary: t.field({
      type: ResourceSummaryObject,
      nullable: true,
      description: "Status at a glance for the common kinds; null for the others.",
      extensions: specCost,
      // Read from the stored object as `status` is, so it is parsed in the same turn slices.
      resolve: (r, _args, context, info) =>
        hasStatusSummary(r) ? parsed(context, info, summaryBytes, () => statusSummaryOf(r)) : null,
    }),
    createdAt: t.string({
      nullable: true,
      description: "metadata.creationTimestamp (RFC 3339, as the API server writes it); null when absent.",
      resolve: (r) => (r.createdAtMs === undefined ? null : formatTimestamp(r.createdAtMs)),
    }),
    lastChangedAt: t.string({
      description: "When this server stored the version it holds (ISO 8601).",
      resolve: (r) => new Date(r.storedAtMs).toISOString(),
    }),
    object: t.field({
      type: JsonScalar,
      description:
        "The whole object, without metadata.managedFields; Secret data is redacted unless enabled.",
      extensions: objectCost,
      // Sent as the graph holds it, spliced into the response as text: nothing is parsed. Still in the
      // turn slices: graphql-js completes a page's objects in one pass, and four pages of a thousand
      // held the process for over a hundred milliseconds.
      resolve: (r, _args, context, info) =>
        parsed(
          context,
          info,
          r.textLength + mapTextLength(r.labels) + mapTextLength(r.annotations),
          () => new RawJson(r.objectText),
        ),
    }),
  }),
});

interface ResourceEdgeShape {
  /** Made when asked for: a page of a thousand objects would otherwise encode a thousand cursors unread. */
  cursor: () => string;
  node: StoredResource;
}

interface ResourceConnectionShape {
  edges: ResourceEdgeShape[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
  sequence: string;
}

const ResourceEdgeObject = builder.objectRef<ResourceEdgeShape>("ResourceEdge").implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (edge) => edge.cursor() }),
    node: t.field({ type: ResourceNode, resolve: (edge) => edge.node }),
  }),
});

const ResourceConnectionObject = builder.objectRef<ResourceConnectionShape>("ResourceConnection").implement({
  fields: (t) => ({
    edges: t.field({ type: [ResourceEdgeObject], resolve: (c) => acrossTurns(c.edges) }),
    pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (c) => c.pageInfo }),
    totalCount: t.exposeInt("totalCount", {
      description: "How many objects match the filter, over all pages.",
    }),
    sequence: t.exposeString("sequence", {
      description: "The change-log position the page was read at; pass it as `since` to resourceChanges.",
    }),
  }),
});

/** A list's size argument: the default page size when absent, else from `least` to the largest page. */
export function pageSize(
  name: "first" | "last",
  size: number | null | undefined,
  context: ApiContext,
  least = 0,
): number {
  const { defaultPageSize, maxPageSize } = context.limits;
  if (size === null || size === undefined) return defaultPageSize;
  if (size < least || size > maxPageSize)
    throw badInput(`${name} must be between ${least} and ${maxPageSize}`);
  return size;
}

builder.queryField("resources", (t) =>
  t.field({
    type: ResourceConnectionObject,
    description:
      "The objects that match the filter, in a stable order (cluster, namespace, kind, name, uid) unless orderBy " +
      "says otherwise. Page forward with first and after, or backward with last and before; not both.",
    extensions: costOf({
      size: { pageArgument: "first", orPageArgument: "last" },
      scan: { filterArgument: "filter", over: "graph" },
    }),
    args: {
      filter: t.arg({ type: ResourceFilterInput }),
      orderBy: t.arg({ type: ResourceOrderInput }),
      first: t.arg.int({
        description: "Page size: 100 unless given, at most 1000 unless the server says otherwise.",
      }),
      after: t.arg.string({ description: "An endCursor or edge cursor from an earlier page." }),
      last: t.arg.int({ description: "Page size, read backward from before (or from the end)." }),
      before: t.arg.string({ description: "A startCursor or edge cursor from an earlier page." }),
    },
    resolve: async (_root, args, context) => {
      const { graph } = context;
      const backward = args.last != null || args.before != null;
      try {
        if (backward && (args.first != null || args.after != null))
          throw badInput("first and after page forward, last and before backward: give one pair, not both");
        const page = backward
          ? { last: pageSize("last", args.last, context), before: args.before ?? null }
          : { first: pageSize("first", args.first, context), after: args.after ?? null };
        // In slices: a scan of a huge graph leaves the event loop to other clients every few milliseconds.
        const result = await graph.listInSlices(args.filter ?? {}, {
          ...page,
          orderBy: args.orderBy ?? null,
        });
        const edges = result.items.map((node) => ({ cursor: () => result.cursorOf(node), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: result.hasNextPage,
            hasPreviousPage: result.hasPreviousPage,
            startCursor: edges[0]?.cursor() ?? null,
            endCursor: result.endCursor,
          },
          totalCount: result.totalCount,
          sequence: graph.log.cursor(result.sequence),
        };
      } catch (error) {
        throw asClientError(error);
      }
    },
  }),
);

builder.queryField("resource", (t) =>
  t.field({
    type: ResourceNode,
    nullable: true,
    description:
      "One object by its identity, read from the graph's name index; null when it does not exist. kind takes " +
      "what ResourceFilter.kinds takes; an unknown cluster, apiVersion or kind is refused as filters refuse it.",
    args: {
      clusterId: t.arg.id({ required: true }),
      apiVersion: t.arg.string({ required: true }),
      kind: t.arg.string({ required: true }),
      namespace: t.arg.string({ description: "Absent or empty for a cluster-scoped object." }),
      name: t.arg.string({ required: true }),
    },
    resolve: (_root, args, context) => {
      try {
        return (
          context.graph.find({
            clusterId: String(args.clusterId),
            apiVersion: args.apiVersion,
            kind: args.kind,
            namespace: args.namespace ?? null,
            name: args.name,
          }) ?? null
        );
      } catch (error) {
        throw asClientError(error);
      }
    },
  }),
);
