// How a replica that must not go on ends: it says why, once, and the process exits with status 1 at
// once, as client-go's controllers do (klog.Fatal) when they lose their Lease. Nothing is left to
// save: what it published is in the stream, its publisher fell silent before this is called, and a
// graceful shutdown could hang on the very API server or NATS it lost, past the moment a standby
// takes over. The Deployment starts it afresh, as a standby.
import type { Logger } from "pino";
import { untilSignalOr } from "../signals.js";

export type FatalEnd = (reason: string) => never;

export function fatalEnd(logger: Logger): FatalEnd {
  return (reason) => {
    const message = reason.startsWith("leadership lost")
      ? "leadership lost; exiting"
      : "replica cannot go on; exiting";
    // The logger writes synchronously to stderr, so the line is out before the process is gone.
    logger.error({ reason }, message);
    process.exit(1);
  };
}

/**
 * Waits for `work` or a signal, whichever comes first: undefined when `work` finished, the signal
 * otherwise. A `work` that fails ends the process, with its error as the reason.
 */
export async function untilWorkOrSignal(work: Promise<unknown>, end: FatalEnd): Promise<string | undefined> {
  const finished = work.then(
    () => undefined,
    (error: unknown) => end(error instanceof Error ? error.message : String(error)),
  );
  return Promise.race([finished, untilSignalOr(undefined)]);
}
