import type { GraphQLSchema } from "graphql";
import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";
import "./types/root.js";
import "./types/json.js";
import "./types/cluster.js";
import "./types/resource-filter.js";
import "./types/resource-order.js";
import "./types/resource.js";
import "./types/resource-counts.js";
import "./types/relay-node.js";
import "./types/resource-change.js";
import "./types/relation.js";
import "./types/change-list.js";
import "./types/resource-history.js";
import "./types/api-resource.js";
import "./types/sync-status.js";
import "./types/pod-logs.js";
import "./types/replica.js";

/** The whole schema, assembled from the type modules imported above. */
export const schema: GraphQLSchema = builder.toSchema();

/** The schema as committed in schema/schema.graphql: sorted, so that diffs show only real changes. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
