// Where `meshsync serve` writes for people: a person at a terminal gets pino-pretty's lines, in
// colour, with the first sync's progress drawn in place below them; a pipe or a file (a pod's log)
// gets JSON lines, and the progress as a log line every few seconds. --log-format chooses the
// format whatever stderr is; the line in place needs a terminal and pretty lines both.
import type { Logger } from "pino";
import { createLogger, defaultLogFormat, type LogFormat, standardError } from "../config/index.js";
import { StatusLine } from "./progress/index.js";

export interface ServeConsole {
  logger: Logger;
  statusLine: StatusLine | undefined;
}

export function openConsole(
  options: { logLevel: string; logFormat?: LogFormat | undefined },
  stderr: Pick<NodeJS.WriteStream, "isTTY" | "columns"> = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): ServeConsole {
  const terminal = stderr.isTTY === true;
  const format = options.logFormat ?? defaultLogFormat(stderr);
  const destination = standardError();
  const statusLine =
    terminal && format === "pretty" ? new StatusLine(destination, () => stderr.columns) : undefined;
  const logger = createLogger({
    level: options.logLevel,
    format,
    destination: statusLine ?? destination,
    // https://no-color.org: any non-empty value turns colours off.
    colors: terminal && !env.NO_COLOR,
  });
  return { logger, statusLine };
}
