// Kubernetes semantics that meshsync and its simulator share, so the two can never disagree on them.
export {
  dns1123LabelFormat,
  dns1123LabelMaxLength,
  dns1123LabelPattern,
  dns1123SubdomainFormat,
  dns1123SubdomainMaxLength,
  dns1123SubdomainPattern,
  isDNS1123Label,
  isDNS1123Subdomain,
} from "./dns-names.js";
export { excerpt, listExcerpt, maxListedItems, maxQuotedChars, quoteExcerpt } from "./excerpt.js";
export {
  compileFieldSelector,
  type FieldReader,
  type FieldRequirement,
  type FieldSelector,
  parseFieldRequirements,
  unsupportedField,
} from "./field-selector.js";
export {
  compileLabelSelector,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  type Labels,
  labelEqualities,
  parseLabelRequirements,
  selectorOf,
} from "./label-selector.js";
export { labelSelectorOfMap, labelSelectorOfObject } from "./label-selector-object.js";
export type { KubeObject, ObjectMeta, OwnerReference } from "./object.js";
export { EXEC_PROTOCOL_V4, EXEC_PROTOCOL_V5, ExecChannel, type ExecProtocol } from "./remotecommand.js";
export { type MappedType, ResourceMapper, type ResourceMatch } from "./resource-mapper.js";
export { apiVersionOf, type GroupVersionResource, groupOf, resourceTypeName } from "./resource-names.js";
export {
  builtinFieldLabels,
  crdSelectableFields,
  type FieldRead,
  metadataFieldLabels,
  type SelectableFields,
  selectableFields,
} from "./selectable-fields.js";
export { defaultSelectorCacheLimits, SelectorCache, type SelectorCacheLimits } from "./selector-cache.js";
export {
  defaultSelectorLimits,
  SelectorError,
  type SelectorLimits,
  selectorCost,
} from "./selector-limits.js";
export { closestName } from "./suggest.js";
