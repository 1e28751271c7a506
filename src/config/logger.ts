import pino from "pino";

/**
 * Logs go to stderr as JSON lines: stdout is reserved for the one line that says where a server
 * listens, which scripts and tests read.
 */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { service: "meshsync" } }, pino.destination({ dest: 2, sync: true }));
}
