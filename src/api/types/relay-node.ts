import { decodeGlobalID } from "@pothos/plugin-relay";
import { quoteExcerpt, type StoredResource } from "../../graph/index.js";
import { builder } from "../builder.js";
import type { ApiContext } from "../context.js";
import { badInput } from "../errors.js";

const resourceTypename = "Resource";

/** The object a Resource id names; null when it no longer exists. Throws a client error for a bad id. */
export function resourceByGlobalId(context: ApiContext, id: string): StoredResource | null {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(id);
  } catch {
    throw badInput(`${quoteExcerpt(id)} is not an id this server issued`);
  }
  if (decoded.typename !== resourceTypename) {
    throw badInput(`${quoteExcerpt(id)} is not the id of a ${resourceTypename}`);
  }
  return context.graph.get(decoded.id) ?? null;
}

builder.queryField("node", (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: "Any object by its global id; null when it no longer exists.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => resourceByGlobalId(context, String(args.id)),
  }),
);
