import type { ResourceCount } from "../../graph/index.js";
import { builder } from "../builder.js";
import { costOf } from "../cost.js";
import { asClientError } from "../errors.js";
import { ResourceFilterInput } from "./resource-filter.js";

const ResourceGroupingEnum = builder.enumType("ResourceGrouping", {
  values: {
    KIND: { description: "By apiVersion and kind." },
    NAMESPACE: { description: 'By namespace; cluster-scoped objects under "".' },
    CLUSTER: { description: "By cluster id." },
  } as const,
});

const ResourceCountObject = builder.objectRef<ResourceCount>("ResourceCount").implement({
  description: "How many objects one group holds; the fields it is not grouped by are null.",
  fields: (t) => ({
    clusterId: t.exposeID("clusterId", { nullable: true }),
    namespace: t.exposeString("namespace", { nullable: true }),
    apiVersion: t.exposeString("apiVersion", { nullable: true }),
    kind: t.exposeString("kind", { nullable: true }),
    count: t.exposeInt("count"),
  }),
});

/** Groups a count is priced at: many more kinds or namespaces than a cluster usually has. */
const typicalGroups = 50;

builder.queryField("resourceCounts", (t) =>
  t.field({
    type: [ResourceCountObject],
    description:
      "How many objects match the filter, per group, the largest first (then by key). With no filter, or one " +
      "that narrows only by clusterIds, namespaces, apiVersions or kinds, counts the graph keeps answer it " +
      "without reading any object.",
    extensions: costOf({ size: typicalGroups, scan: { filterArgument: "filter", over: "graph" } }),
    args: {
      filter: t.arg({ type: ResourceFilterInput }),
      by: t.arg({ type: ResourceGroupingEnum, required: true }),
    },
    resolve: async (_root, args, context) => {
      try {
        return await context.graph.countInSlices(args.filter ?? {}, args.by);
      } catch (error) {
        throw asClientError(error);
      }
    },
  }),
);
