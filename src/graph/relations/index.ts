// Relations between the graph's objects: rules as data (built-in and an operator's), the index that
// keeps them as objects come and go, and the neighbourhood walk.
export { builtinRelationRules } from "./builtin-rules.js";
export { builtinScope } from "./cluster-scoped.js";
export { FieldPathError } from "./field-path.js";
export { type Neighbourhood, type NeighbourhoodOptions, neighbourhood } from "./neighbourhood.js";
export {
  type Edge,
  type EdgeChange,
  type RelationDelta,
  type RelationDirection,
  RelationIndex,
  type RelationLookup,
  relationDelta,
} from "./relation-index.js";
export {
  type RelationRule,
  type RelationRuleInput,
  relationRuleSchema,
  relationRulesSchema,
} from "./rule-schema.js";
export { type Reference, RelationRuleError, RuleSet, type ScopeOf } from "./rule-set.js";
