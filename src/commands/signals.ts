/** Resolves on the first SIGINT or SIGTERM, so a command can shut down in order instead of dying. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return untilSignalOr(undefined) as Promise<NodeJS.Signals>;
}

/**
 * As untilSignal, or "stopAfter" once `afterMs` has passed (MeshSync's --stopAfter), or "fatal" once
 * `fatal` resolves: a run that ends on its own shuts down in the same order as one that is told to.
 */
export function untilSignalOr(
  afterMs: number | undefined,
  fatal?: Promise<void>,
): Promise<NodeJS.Signals | "stopAfter" | "fatal"> {
  return new Promise((resolve) => {
    const timer = afterMs === undefined ? undefined : setTimeout(() => finish("stopAfter"), afterMs);
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    function finish(reason: NodeJS.Signals | "stopAfter" | "fatal") {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(reason);
    }
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    fatal?.then(() => finish("fatal"));
  });
}
