/** Resolves on the first SIGINT or SIGTERM, so a command can shut down in order instead of dying. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return untilSignalOr(undefined) as Promise<NodeJS.Signals>;
}

/**
 * As untilSignal, or "stopAfter" once `afterMs` has passed (MeshSync's --stopAfter): a run that ends
 * on its own shuts down in the same order as one that is told to.
 */
export function untilSignalOr(afterMs: number | undefined): Promise<NodeJS.Signals | "stopAfter"> {
  return new Promise((resolve) => {
    const timer = afterMs === undefined ? undefined : setTimeout(() => finish("stopAfter"), afterMs);
    const onSignal = (signal: NodeJS.Signals) => finish(signal);
    function finish(reason: NodeJS.Signals | "stopAfter") {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(reason);
    }
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
