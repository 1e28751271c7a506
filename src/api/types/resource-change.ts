import { changeEvaluations, type ResourcePredicate } from "../../graph/index.js";
import { builder } from "../builder.js";
import { type ChangeEvent, ChangeSubscription } from "../change-stream.js";
import { costOf } from "../cost.js";
import { asClientError } from "../errors.js";
import { ResourceNode } from "./resource.js";
import { ResourceFilterInput } from "./resource-filter.js";

const ChangeTypeEnum = builder.enumType("ChangeType", {
  values: {
    ADDED: {},
    MODIFIED: {},
    DELETED: { description: "The resource is the last known state." },
    RESYNC: {
      description: "Changes were skipped: query again, then apply changes after that query's sequence.",
    },
  } as const,
});

export const ResourceChangeObject = builder.objectRef<ChangeEvent>("ResourceChange").implement({
  fields: (t) => ({
    sequence: t.exposeString("sequence", { description: "The change-log cursor of this change." }),
    type: t.field({ type: ChangeTypeEnum, resolve: (event) => event.type }),
    time: t.string({
      description:
        "When meshsync committed the change (for RESYNC, when it was made), ISO 8601 in UTC. Never earlier than the change before it.",
      resolve: (event) => new Date(event.time).toISOString(),
    }),
    resource: t.field({ type: ResourceNode, nullable: true, resolve: (event) => event.resource }),
  }),
});

builder.subscriptionField("resourceChanges", (t) =>
  t.field({
    type: ResourceChangeObject,
    description:
      "Every change to a matching object. With `since` (a sequence from a query or an earlier change) the " +
      "retained changes after it come first, then live ones; when `since` is too old or foreign, RESYNC first.",
    // Costed per delivered change: the selection once, plus the filter that every change is matched against.
    extensions: costOf({ scan: { filterArgument: "filter", over: "change" } }),
    args: {
      filter: t.arg({ type: ResourceFilterInput }),
      since: t.arg.string(),
    },
    subscribe: (_root, args, context) => {
      let matches: ResourcePredicate;
      try {
        // Names resolve now: a kind no cluster serves yet is refused, as kubectl refuses it.
        matches = context.graph.matcher(args.filter ?? {});
      } catch (error) {
        throw asClientError(error);
      }
      const observer = context.subscriptionObserver;
      return new ChangeSubscription(context.graph.log, {
        since: args.since,
        matches,
        evaluations: changeEvaluations(args.filter ?? {}),
        capacity: context.limits.subscriptionQueueSize,
        onOpen: () => observer?.opened(),
        onOverflow: () => observer?.overflowed(),
        onClose: () => observer?.closed(),
      });
    },
    resolve: (event) => event,
  }),
);
