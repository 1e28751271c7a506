import pino from "pino";
import { prettyFactory } from "pino-pretty";

export type LogFormat = "json" | "pretty";

/** Where log text goes; a terminal's status line takes the lines it must draw itself around. */
export interface LogDestination {
  write(text: string): unknown;
}

export interface LoggerOptions {
  level: string;
  format: LogFormat;
  /** Standard error, written synchronously, unless given. */
  destination?: LogDestination;
  /** ANSI colours in pretty lines. */
  colors?: boolean;
}

/** Pretty on a terminal, JSON lines for whatever reads a pipe or a file. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? "pretty" : "json";
}

/** Standard error, written as each line comes: nothing is lost when the process exits right after. */
export function standardError(): LogDestination {
  return pino.destination({ dest: 2, sync: true });
}

/**
 * Logs go to stderr: stdout is reserved for the one line that says where a server listens, which
 * scripts and tests read. Pretty lines are made in this thread by pino-pretty's own formatter, one
 * JSON line at a time, so that they stay in order with everything else written to the terminal
 * (a transport would format them later, on a worker thread).
 */
export function createLogger(options: LoggerOptions): pino.Logger {
  const destination = options.destination ?? standardError();
  const settings = { level: options.level, base: { service: "meshsync" } };
  if (options.format === "json") return pino(settings, destination);
  const prettify = prettyFactory({
    colorize: options.colors ?? false,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
  });
  return pino(settings, { write: (line: string) => destination.write(prettify(line)) });
}
