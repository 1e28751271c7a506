// The MeshSync broker output over NATS: the contract Meshery Server consumes.

export { defaultNatsLimits } from "./limits.js";
export { registerNatsMetrics } from "./metrics.js";
export { startNatsOutput } from "./start-nats-output.js";
export type {
  NatsOutput,
  NatsOutputLimits,
  NatsOutputOptions,
  NatsOutputStatus,
  PodExecOpener,
  PodExecRequest,
  PodExecSession,
  PodLogRequest,
  PodLogSource,
} from "./types.js";
export {
  activeSessionsSubject,
  coreSubject,
  logsSubject,
  metaSubject,
  requestQueueGroup,
  requestSubject,
} from "./wire.js";
