// How a replica that must not go on ends: it says why once, the process shuts down as on a signal, and
// exits with status 1 so that its Deployment starts it afresh (as client-go's controllers do when
// they lose their Lease).
import type { Logger } from "pino";
import { untilSignalOr } from "../signals.js";

export class FatalExit {
  private reason: string | undefined;
  private wake: () => void = () => {};
  /** Resolves when the replica must end. */
  readonly happening = new Promise<void>((resolve) => {
    this.wake = resolve;
  });

  constructor(private readonly logger: Logger) {}

  get happened(): boolean {
    return this.reason !== undefined;
  }

  /** Called by what found the replica cannot go on; the first reason is the one told. */
  readonly end = (reason: string): void => {
    if (this.reason !== undefined) return;
    this.reason = reason;
    const message = reason.startsWith("leadership lost")
      ? "leadership lost; exiting"
      : "replica cannot go on; exiting";
    this.logger.error({ reason }, message);
    this.wake();
  };

  /** After the shutdown: the exit status says whether it was asked for. */
  finish(_why: string): void {
    if (this.reason !== undefined) process.exitCode = 1;
  }
}

/**
 * Waits for `work`, a signal or the fatal end, whichever comes first: undefined when `work` finished,
 * otherwise what stopped it. A `work` that fails is a fatal end, with its error as the reason.
 */
export async function untilFirstOf(work: Promise<unknown>, fatal: FatalExit): Promise<string | undefined> {
  const finished = work.then(
    () => undefined,
    (error: unknown) => {
      fatal.end(error instanceof Error ? error.message : String(error));
      return "fatal";
    },
  );
  const stopped = untilSignalOr(undefined, fatal.happening);
  return Promise.race([finished, stopped]);
}
