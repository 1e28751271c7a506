import { builder } from "../builder.js";

export const ResourceFilterInput = builder.inputType("ResourceFilter", {
  description:
    "Every field narrows the result; absent or empty fields do not. Lists match any of their values.",
  fields: (t) => ({
    clusterIds: t.stringList(),
    apiVersions: t.stringList({ description: 'As in the object, e.g. "v1" or "apps/v1".' }),
    kinds: t.stringList(),
    namespaces: t.stringList({ description: "The empty string matches cluster-scoped objects." }),
    names: t.stringList(),
    labelSelector: t.string({
      description: 'Kubernetes label selector syntax, e.g. "app=web,tier notin (db)".',
    }),
    fieldSelector: t.string({ description: 'Kubernetes field selector syntax, e.g. "metadata.name=web".' }),
    search: t.string({ description: "Case-insensitive text contained in the name." }),
  }),
});
