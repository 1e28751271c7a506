// Kubernetes semantics that meshsync and its simulator share, so the two can never disagree on them.
export { maxQuotedChars, quoteExcerpt } from "./excerpt.js";
export type { KubeObject, ObjectMeta, OwnerReference } from "./object.js";
export { apiVersionOf, type GroupVersionResource, groupOf, resourceTypeName } from "./resource-names.js";
export { selectableFieldPaths, selectableFieldsOf } from "./selectable-fields.js";
export { compileFieldSelector, compileLabelSelector, labelEqualities, SelectorError } from "./selectors.js";
