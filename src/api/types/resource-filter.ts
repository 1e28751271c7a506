import { maxAnnotationMatches } from "../../graph/index.js";
import { builder } from "../builder.js";

export const AnnotationMatchInput = builder.inputType("AnnotationMatch", {
  description:
    "An annotation an object must have: the key with this value, or the key at all when value is absent.",
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string(),
  }),
});

export const ResourceFilterInput = builder.inputType("ResourceFilter", {
  description:
    "Every field narrows the result; absent or empty fields do not. Lists match any of their values.",
  fields: (t) => ({
    clusterIds: t.stringList({
      description: "Cluster ids as Query.clusters gives them; an unknown one is refused.",
    }),
    apiVersions: t.stringList({
      description: 'As in the object, e.g. "v1" or "apps/v1"; one no watched type has is refused.',
    }),
    kinds: t.stringList({
      description:
        'Resource types as kubectl names them, in any case: kind ("Pod"), plural ("pods"), singular ("pod") or ' +
        'short name ("po"), optionally with the group ("deploy.apps", "Deployment.apps") or version and group ' +
        '("deployments.v1.apps", "pods.v1."). A name several groups serve selects all of them; one no watched ' +
        "type answers to is refused. A subscription resolves its names when it starts.",
    }),
    namespaces: t.stringList({ description: "The empty string matches cluster-scoped objects." }),
    names: t.stringList(),
    labelSelector: t.string({
      description: 'Kubernetes label selector syntax, e.g. "app=web,tier notin (db)".',
    }),
    fieldSelector: t.string({
      description:
        'Kubernetes field selector syntax, e.g. "metadata.name=web", on the fields every kind filtered supports ' +
        "(without kinds: metadata.name, metadata.namespace and those of some built-in kind).",
    }),
    search: t.string({ description: "Case-insensitive text contained in the name." }),
    uids: t.stringList({ description: "metadata.uid, in any cluster the filter allows." }),
    ownerUids: t.stringList({
      description: "Objects whose ownerReferences name one of these uids (what those objects own).",
    }),
    annotations: t.field({
      type: [AnnotationMatchInput],
      description: `Every match must hold; at most ${maxAnnotationMatches}.`,
    }),
  }),
});
