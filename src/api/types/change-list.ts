import type { ResourcePredicate } from "../../graph/index.js";
import { builder } from "../builder.js";
import { type ChangeList, type ChangeListStart, readChanges } from "../change-window.js";
import { costOf } from "../cost.js";
import { asClientError, badInput } from "../errors.js";
import { parseTimestamp } from "../timestamp.js";
import { pageSize } from "./resource.js";
import { ResourceChangeObject } from "./resource-change.js";
import { ResourceFilterInput } from "./resource-filter.js";

const ChangeListObject = builder.objectRef<ChangeList>("ChangeList").implement({
  description: "Part of the change log's retained window, oldest first.",
  fields: (t) => ({
    changes: t.field({ type: [ResourceChangeObject], resolve: (list) => list.changes }),
    next: t.exposeString("next", {
      description:
        "The cursor after the last change this read looked at: pass it as `since` here, or to resourceChanges, to carry on.",
    }),
    complete: t.exposeBoolean("complete", {
      description:
        "False when changes after `since` (or at or after `sinceTime`, or since this process began when neither is given) have already left the retained window: query the objects again, as after RESYNC.",
    }),
    hasMore: t.exposeBoolean("hasMore", {
      description:
        "Whether the window holds changes after `next`: a read stops at `first` changes, and after looking at 100,000 changes whether or not they matched.",
    }),
  }),
});

function startFrom(since: string | null | undefined, sinceTime: string | null | undefined): ChangeListStart {
  if (since != null && sinceTime != null) throw badInput("give since or sinceTime, not both");
  if (since != null) return { since };
  if (sinceTime != null) return { sinceTime: parseTimestamp(sinceTime, "sinceTime") };
  return {};
}

builder.queryField("changes", (t) =>
  t.field({
    type: ChangeListObject,
    description:
      "The retained changes that match the filter, oldest first, as resourceChanges would send them: after `since` (a cursor), from the first at or after `sinceTime` (RFC 3339), or from the oldest retained.",
    // Costed per change returned, like resourceChanges per delivered change: the selection, plus the
    // filter every change is matched against.
    extensions: costOf({
      size: { pageArgument: "first" },
      scan: { filterArgument: "filter", over: "change" },
    }),
    args: {
      filter: t.arg({ type: ResourceFilterInput }),
      since: t.arg.string({ description: "A cursor: a change's sequence, a page's sequence, or a `next`." }),
      sinceTime: t.arg.string({ description: "An RFC 3339 time, such as 2026-12-01T22:00:00Z." }),
      first: t.arg.int({
        description:
          "How many changes at most: 100 unless given, at most 1000 unless the server says otherwise.",
      }),
    },
    resolve: (_root, args, context) => {
      const first = pageSize("first", args.first, context);
      const start = startFrom(args.since, args.sinceTime);
      let matches: ResourcePredicate;
      try {
        matches = context.graph.matcher(args.filter ?? {});
      } catch (error) {
        throw asClientError(error);
      }
      return readChanges(context.graph.log, { start, first, matches });
    },
  }),
);
