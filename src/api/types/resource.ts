import type { GraphQLResolveInfo } from "graphql";
import { mapTextLength, type StoredResource } from "../../graph/index.js";
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

/** Characters a string map takes as JSON, near enough: quotes, colon and comma around each entry. */
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

export function pageSize(first: number | null | undefined, context: ApiContext): number {
  const { defaultPageSize, maxPageSize } = context.limits;
  if (first === null || first === undefined) return defaultPageSize;
  if (first < 0 || first > maxPageSize) throw badInput(`first must be between 0 and ${maxPageSize}`);
  return first;
}

builder.queryField("resources", (t) =>
  t.field({
    type: ResourceConnectionObject,
    description:
      "The objects that match the filter, in a stable order (cluster, namespace, kind, name, uid).",
    extensions: costOf({
      size: { pageArgument: "first" },
      scan: { filterArgument: "filter", over: "graph" },
    }),
    args: {
      filter: t.arg({ type: ResourceFilterInput }),
      first: t.arg.int({
        description: "Page size: 100 unless given, at most 1000 unless the server says otherwise.",
      }),
      after: t.arg.string({ description: "An endCursor or edge cursor from an earlier page." }),
    },
    resolve: async (_root, args, context) => {
      const first = pageSize(args.first, context);
      const { graph } = context;
      try {
        // In slices: a scan of a huge graph leaves the event loop to other clients every few milliseconds.
        const page = await graph.listInSlices(args.filter ?? {}, { first, after: args.after ?? null });
        const edges = page.items.map((node) => ({ cursor: () => graph.cursorOf(node), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            // Counting what lies before `after` would cost a second pass; Relay allows false here.
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor() ?? null,
            endCursor: page.endCursor,
          },
          totalCount: page.totalCount,
          sequence: graph.log.cursor(page.sequence),
        };
      } catch (error) {
        throw asClientError(error);
      }
    },
  }),
);
