import SchemaBuilder from "@pothos/core";
import RelayPlugin from "@pothos/plugin-relay";
import type { ApiContext } from "./context.js";

/** The one schema builder; each module under types/ adds its GraphQL types and fields to it. */
export const builder = new SchemaBuilder<{
  Context: ApiContext;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  // Fields are non-null unless they say otherwise: null then always means "absent", never "failed".
  defaultFieldNullability: false,
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // node(id) is defined in types/relay-node.ts, so that a malformed id is a client error with a clear message.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});
