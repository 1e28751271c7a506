// The GraphQL API over the resource graph: the schema, and the context its resolvers need.

export {
  type ChangeEvent,
  type ChangeFeed,
  type ChangeStreamOptions,
  ChangeSubscription,
  openChangeStream,
  projectChange,
  type ResumePoint,
  resumePoint,
  resyncEvent,
  safeMatcher,
} from "./change-stream.js";
export { CloseCode, ErrorCode } from "./codes.js";
export {
  type ApiContext,
  type ApiContextOptions,
  type ApiLimits,
  type ApiResourceInfo,
  createApiContext,
  defaultApiLimits,
  LogStreamCount,
  type PodLogRequest,
  type PodLogsProvider,
  type SubscriptionObserver,
} from "./context.js";
export { costExtensionKey, costOf, type FieldCost } from "./cost.js";
export {
  type FanoutEvent,
  type FanoutSource,
  isFanoutSource,
  type Sequenced,
  type SequencedFeed,
} from "./fanout-source.js";
export { mesherySchema, printSortedMesherySchema } from "./meshery/schema.js";
export { jsonPieces, stringifyWithRawJson } from "./raw-json.js";
export {
  type ReplicaLag,
  type ReplicaRole,
  type ReplicaStatus,
  singleReplica,
} from "./replica-status.js";
export { isResponseTooLarge, ResponseMeter } from "./response-meter.js";
export { printSortedSchema, schema } from "./schema.js";
