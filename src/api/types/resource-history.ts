import { builder } from "../builder.js";
import { type ChangeEvent, projectChange } from "../change-stream.js";
import { costOf } from "../cost.js";
import { pageSize, ResourceNode } from "./resource.js";
import { ResourceChangeObject } from "./resource-change.js";

const matchesAll = () => true;

builder.objectField(ResourceNode, "history", (t) =>
  t.field({
    type: [ResourceChangeObject],
    description:
      "This object's changes in the change log's retained window, newest first. Walked back from its current version, or, for an object the graph no longer holds (reached through a DELETED change), from the version at hand.",
    extensions: costOf({ size: { pageArgument: "first" } }),
    args: {
      first: t.arg.int({
        description:
          "How many changes at most: 100 unless given, at most 1000 unless the server says otherwise.",
      }),
    },
    resolve: (resource, args, context): ChangeEvent[] => {
      const first = pageSize("first", args.first, context);
      const { graph } = context;
      // Each change links to the object's change before it: the walk reads only this object's changes.
      return graph.log
        .historyOf(graph.get(resource.key) ?? resource, first)
        .flatMap((change) => projectChange(graph.log, change, matchesAll) ?? []);
    },
  }),
);
