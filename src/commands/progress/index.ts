// Progress of the first sync, as `meshsync serve` shows it: a line in place on a terminal, log lines
// otherwise.
export {
  describeProgress,
  type ProgressLogger,
  ProgressReporter,
  type ProgressReporterOptions,
  type ProgressSample,
} from "./reporter.js";
export { StatusLine } from "./status-line.js";
