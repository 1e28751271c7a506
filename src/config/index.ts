// Turns flags, environment and config files into the plain option objects the rest of meshsync takes.
export {
  createLogger,
  defaultLogFormat,
  type LogDestination,
  type LogFormat,
  type LoggerOptions,
  standardError,
} from "./logger.js";
export {
  type ElectionOptions,
  type ReplicationOptions,
  resolveServeOptions,
  type ServeFlags,
  type ServeOptions,
} from "./serve-options.js";
export * as settingTypes from "./setting-types.js";
export { ConfigError, checkText } from "./settings.js";
