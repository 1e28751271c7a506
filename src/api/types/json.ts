import type { ValueNode } from "graphql";
import { Kind, valueFromASTUntyped } from "graphql";
import { builder } from "../builder.js";

export const JsonScalar = builder.scalarType("JSON", {
  description: "Any JSON value: Kubernetes objects, label maps, spec and status as the API server sent them.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node: ValueNode, variables) =>
    node.kind === Kind.NULL ? null : valueFromASTUntyped(node, variables ?? undefined),
});
