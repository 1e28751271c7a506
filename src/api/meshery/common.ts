// Meshery's scalar and shared types, named and shaped as its schema declares them.
import type { ValueNode } from "graphql";
import { Kind, valueFromASTUntyped } from "graphql";
import { mesheryBuilder } from "./builder.js";

mesheryBuilder.scalarType("Any", {
  description: "Any JSON value (Meshery's `Any`): here, a MeshSync KubernetesResource.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node: ValueNode, variables) =>
    node.kind === Kind.NULL ? null : valueFromASTUntyped(node, variables ?? undefined),
});

/** Meshery's Status, as its resolvers answer with it. */
export type MesheryStatus = "ENABLED" | "CONNECTED" | "DISABLED" | "PROCESSING" | "UNKNOWN";

export const StatusEnum = mesheryBuilder.enumType("Status", {
  values: {
    ENABLED: {},
    CONNECTED: { description: "Connected (Meshery applied it to NATS only)." },
    DISABLED: {},
    PROCESSING: {},
    UNKNOWN: {},
  } as const,
});

export interface MesheryError {
  code: string;
  description: string;
}

export const ErrorObject = mesheryBuilder.objectRef<MesheryError>("Error").implement({
  fields: (t) => ({
    code: t.exposeString("code"),
    description: t.exposeString("description"),
  }),
});

export const MeshSyncEventTypeEnum = mesheryBuilder.enumType("MeshSyncEventType", {
  values: { ADDED: {}, MODIFIED: {}, DELETED: {} } as const,
});
