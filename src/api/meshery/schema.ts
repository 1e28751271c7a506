import type { GraphQLSchema } from "graphql";
import { lexicographicSortSchema, printSchema } from "graphql";
import { mesheryBuilder } from "./builder.js";
import "./common.js";
import "./cluster-resources.js";
import "./meshsync-events.js";
import "./meshsync-status.js";
import "./namespaces.js";
import "./resync.js";

/** The schema served at Meshery's path: the operations older Meshery versions send, by their names. */
export const mesherySchema: GraphQLSchema = mesheryBuilder.toSchema();

export function printSortedMesherySchema(): string {
  return `${printSchema(lexicographicSortSchema(mesherySchema))}\n`;
}
