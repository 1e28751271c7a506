import { apiVersionOf, resourceTypeName } from "@meshsync/k8s";
import { builder } from "../builder.js";
import type { ApiResourceInfo } from "../context.js";

const ApiResourceObject = builder.objectRef<ApiResourceInfo>("ApiResource").implement({
  description: "A resource type a cluster serves, as discovery describes it.",
  fields: (t) => ({
    clusterId: t.exposeID("clusterId"),
    group: t.exposeString("group", { description: "The empty string for the core group." }),
    version: t.exposeString("version"),
    apiVersion: t.string({ resolve: (r) => apiVersionOf(r) }),
    resource: t.exposeString("resource", { description: 'The plural name, e.g. "pods".' }),
    kind: t.exposeString("kind"),
    namespaced: t.exposeBoolean("namespaced"),
    verbs: t.exposeStringList("verbs"),
    shortNames: t.stringList({ resolve: (r) => r.shortNames ?? [] }),
    typeName: t.string({
      description: 'MeshSync\'s name for the type, "<plural>.<version>.<group>".',
      resolve: (r) => resourceTypeName(r),
    }),
  }),
});

builder.queryField("apiResources", (t) =>
  t.field({
    type: [ApiResourceObject],
    args: { clusterIds: t.arg.idList({ description: "Only these clusters; every cluster when absent." }) },
    resolve: (_root, args, context) => {
      const wanted =
        args.clusterIds && args.clusterIds.length > 0 ? new Set(args.clusterIds.map(String)) : null;
      return context.apiResources().filter((r) => wanted === null || wanted.has(r.clusterId));
    },
  }),
);
