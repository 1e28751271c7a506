import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  type Edge,
  type EdgeChange,
  listExcerpt,
  type RelationDirection,
  type StoredResource,
} from "../../graph/index.js";
import { builder } from "../builder.js";
import type { ChangeEvent } from "../change-stream.js";
import type { ApiContext } from "../context.js";
import { costOf } from "../cost.js";
import { asClientError, badInput } from "../errors.js";
import { acrossTurns } from "../turn-slices.js";
import { resourceByGlobalId } from "./relay-node.js";
import { pageSize, ResourceNode } from "./resource.js";
import { ResourceChangeObject } from "./resource-change.js";

// Relations between objects: each object's edges, a neighbourhood in one round trip for drawing, and
// the edges each change moved, so that a subscriber keeps a topology live.

const RelationDirectionEnum = builder.enumType("RelationDirection", {
  values: {
    OUT: { description: "From this object to others: a Service to the Pods it selects." },
    IN: { description: "From others to this object: a Pod's owner, the Service that selects it." },
    BOTH: {},
  } as const,
});

interface RelationShape {
  type: string;
  direction: "OUT" | "IN";
  resource: StoredResource;
}

const RelationObject = builder.objectRef<RelationShape>("Relation").implement({
  description: "One edge of an object, seen from it.",
  fields: (t) => ({
    type: t.exposeString("type", {
      description: 'The rule\'s stable name, e.g. "owns", "selects", "runs-on".',
    }),
    direction: t.field({ type: RelationDirectionEnum, resolve: (r) => r.direction }),
    resource: t.field({ type: ResourceNode, description: "The other end.", resolve: (r) => r.resource }),
  }),
});

const resourceId = (key: string) => encodeGlobalID("Resource", key);

const RelationEdgeObject = builder.objectRef<EdgeChange>("RelationEdge").implement({
  description: "An edge by the ids of its ends, `from` -> `to` as its rule reads (owner -> owned).",
  fields: (t) => ({
    type: t.exposeString("type"),
    from: t.id({ resolve: (e) => resourceId(e.from) }),
    to: t.id({ resolve: (e) => resourceId(e.to) }),
  }),
});

interface NeighbourhoodShape {
  nodes: StoredResource[];
  edges: EdgeChange[];
  truncated: boolean;
}

const NeighbourhoodObject = builder.objectRef<NeighbourhoodShape>("Neighbourhood").implement({
  description: "The objects within some hops of one, and the edges between them.",
  fields: (t) => ({
    nodes: t.field({
      type: [ResourceNode],
      description: "The start first.",
      resolve: (n) => acrossTurns(n.nodes),
    }),
    edges: t.field({ type: [RelationEdgeObject], resolve: (n) => n.edges }),
    truncated: t.exposeBoolean("truncated", {
      description: "Whether `first` (or the edge bound, four times it) cut the walk short.",
    }),
  }),
});

/** The relation types asked for, each one the rules give; undefined for all. */
function relationTypes(
  context: ApiContext,
  types: readonly string[] | null | undefined,
): ReadonlySet<string> | undefined {
  if (types === null || types === undefined || types.length === 0) return undefined;
  const known = context.graph.relationTypes;
  const unknown = types.filter((type) => !known.has(type));
  if (unknown.length > 0)
    throw badInput(
      `unknown relation type ${listExcerpt(unknown, { quote: true })}; the rules give ${listExcerpt([...known].sort(), { max: 40 })}`,
    );
  return new Set(types);
}

const toChange = (edge: Edge): EdgeChange => ({ type: edge.type, from: edge.from.key, to: edge.to.key });

builder.objectFields(ResourceNode, (t) => ({
  relations: t.field({
    type: [RelationObject],
    description:
      "This object's edges now: of some relation types or all, in one direction or both, at most `first` " +
      "(the default page size unless given).",
    extensions: costOf({ size: { pageArgument: "first" } }),
    args: {
      direction: t.arg({ type: RelationDirectionEnum, defaultValue: "BOTH" }),
      types: t.arg.stringList({ description: "Relation types, as Query.relationTypes lists them." }),
      first: t.arg.int(),
    },
    resolve: (r, args, context) => {
      const first = pageSize("first", args.first, context, 1);
      const types = relationTypes(context, args.types);
      const relations: RelationShape[] = [];
      for (const edge of context.graph.edges(r, args.direction as RelationDirection, types, first)) {
        const out = edge.from.key === r.key;
        relations.push({
          type: edge.type,
          direction: out ? "OUT" : "IN",
          resource: out ? edge.to : edge.from,
        });
      }
      return acrossTurns(relations);
    },
  }),
  events: t.field({
    type: [ResourceNode],
    description: "The Events about this object (when Events are watched), newest first, at most `first`.",
    extensions: costOf({ size: { pageArgument: "first" } }),
    args: { first: t.arg.int() },
    resolve: (r, args, context) => {
      const first = pageSize("first", args.first, context, 1);
      // An event storm can leave thousands about one object: the newest of the first ten thousand.
      const events = context.graph.edges(r, "IN", aboutOnly, 10_000).map((edge) => edge.from);
      return events
        .map((event) => ({ event, at: eventTime(event) }))
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
        .slice(0, first)
        .map(({ event }) => event);
    },
  }),
}));

const aboutOnly: ReadonlySet<string> = new Set(["about"]);

/** When an Event last happened, as kubectl's LAST SEEN reads it: the newest of the times it carries. */
function eventTime(event: StoredResource): string {
  const o = event.object as Record<string, unknown> & { series?: { lastObservedTime?: string } };
  const times = [
    o.lastTimestamp,
    o.eventTime,
    o.series?.lastObservedTime,
    o.firstTimestamp,
    event.object.metadata?.creationTimestamp,
  ];
  return (
    times
      .filter((t): t is string => typeof t === "string")
      .sort()
      .at(-1) ?? ""
  );
}

builder.objectFields(ResourceChangeObject, (t) => ({
  relationsAdded: t.field({
    type: [RelationEdgeObject],
    description:
      "The edges this change made appear: a Service's arrival brings those to the Pods it selects.",
    resolve: (event: ChangeEvent) => [...(event.relations?.added ?? [])],
  }),
  relationsRemoved: t.field({
    type: [RelationEdgeObject],
    description: "The edges this change took away; a DELETED change takes all of the object's.",
    resolve: (event: ChangeEvent) => [...(event.relations?.removed ?? [])],
  }),
}));

builder.queryField("relationTypes", (t) =>
  t.stringList({
    description: "Every relation type the server's rules (built-in and configured) give, sorted.",
    resolve: (_root, _args, context) => [...context.graph.relationTypes].sort(),
  }),
);

/** How far a neighbourhood may reach: a topology view draws a few hops, not the cluster. */
const maxHops = 6;

builder.queryField("neighbourhood", (t) =>
  t.field({
    type: NeighbourhoodObject,
    nullable: true,
    description:
      "The objects within `hops` relations of one (breadth first; of some relation types, entering objects " +
      "of some kinds), and the edges between them: what a topology view draws, in one round trip. At most " +
      "`first` objects (the default page size unless given) and four times as many edges, read from at most " +
      "forty times as many (a walk through hubs such as a Node stops there). Null when the " +
      "object no longer exists.",
    extensions: costOf({ size: { pageArgument: "first" } }),
    args: {
      id: t.arg.id({ required: true }),
      hops: t.arg.int({ defaultValue: 1, description: `0 to ${maxHops}.` }),
      direction: t.arg({ type: RelationDirectionEnum, defaultValue: "BOTH" }),
      types: t.arg.stringList({ description: "Follow only these relation types." }),
      kinds: t.arg.stringList({
        description: "Enter only objects of these kinds (kubectl names, as in ResourceFilter).",
      }),
      first: t.arg.int(),
    },
    resolve: (_root, args, context) => {
      const start = resourceByGlobalId(context, String(args.id));
      const hops = args.hops ?? 1;
      if (!Number.isInteger(hops) || hops < 0 || hops > maxHops)
        throw badInput(`hops must be between 0 and ${maxHops}`);
      const first = pageSize("first", args.first, context, 1);
      const types = relationTypes(context, args.types);
      let admits: ((r: StoredResource) => boolean) | undefined;
      try {
        if (args.kinds && args.kinds.length > 0) admits = context.graph.matcher({ kinds: args.kinds });
      } catch (error) {
        throw asClientError(error);
      }
      if (start === null) return null;
      const found = context.graph.neighbourhood(start, {
        hops,
        direction: (args.direction ?? "BOTH") as RelationDirection,
        types,
        admits,
        maxNodes: first,
        maxEdges: first * 4,
        maxExamined: first * 40,
      });
      return { nodes: found.nodes, edges: found.edges.map(toChange), truncated: found.truncated };
    },
  }),
);
