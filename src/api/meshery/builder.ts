// The schema older Meshery versions speak (meshery/meshery server/internal/graphql/schema/schema.graphql,
// before its GraphQL was retired in 2026), built by a builder of its own over the same ApiContext and the
// same graph, change log and fan-out sources as meshsync's schema. It is a second schema, served only at
// Meshery's path (/api/system/graphql/query), because Meshery's names would clash with meshsync's own
// (`Resource`, a count there and an object here) and because its `getX`/`subscribeX` fields and loose
// argument spellings do not belong in meshsync's API. No subscription document is valid in both
// schemas (their root fields differ), so the two can share one fan-out without sharing a group.
import SchemaBuilder from "@pothos/core";
import type { ApiContext } from "../context.js";

export const mesheryBuilder = new SchemaBuilder<{
  Context: ApiContext;
  Scalars: {
    Any: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
});
