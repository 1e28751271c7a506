// The resource graph: what the reflectors feed and what the API reads. Objects keyed by cluster + uid,
// secondary indexes, and the change log with a sequence per committed change.

export { listExcerpt, maxQuotedChars, quoteExcerpt, SelectorError } from "@meshsync/k8s";
export {
  type ChangeListener,
  ChangeLog,
  type ChangeLogOptions,
  changeRecordBytes,
  defaultMaxRetainedChanges,
  defaultRetainedChangeBytes,
  retainedBytesOf,
} from "./change-log.js";
export { formatTimestamp, InvalidObjectError, mapTextLength } from "./compact.js";
export {
  changeEvaluations,
  FilterError,
  filterCost,
  maxAnnotationMatches,
  type ResourcePredicate,
} from "./filter.js";
export type { ListOrderSpec, OrderField } from "./list-order.js";
export {
  designIdLabel,
  type KubernetesKeyValue,
  type KubernetesResource,
  type KubernetesResourceAttribute,
  type KubernetesResourceObjectMeta,
  type KubernetesResourceOptions,
  meshServerResourceId,
  patternResourceOf,
  type ServiceComponentMetadata,
  toKubernetesResource,
} from "./meshsync/kubernetes-resource.js";
export { filterSink, type OutputFilter } from "./output-filter.js";
export { CursorError } from "./page-scan.js";
export {
  type Edge,
  type EdgeChange,
  type RelationDelta,
  type RelationDirection,
  RelationRuleError,
  RuleSet,
} from "./relations/index.js";
export type { CountGrouping, ResourceCount } from "./resource-counts.js";
export {
  type Page,
  ResourceGraph,
  type ResourceGraphOptions,
  type ResourceIdentity,
  type ResourcePage,
} from "./resource-graph.js";
export { hasStatusSummary, type StatusSummary, statusSummaryOf } from "./status-summary.js";
export type {
  AnnotationMatch,
  ChangeType,
  ClusterRef,
  FilterView,
  ResourceChange,
  ResourceFilter,
  StoredResource,
} from "./types.js";
