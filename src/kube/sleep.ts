// A wait that a stop (or a resync) can cut short; reflectors take it as a parameter so tests can
// record the delays they ask for instead of waiting them out.

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** setTimeout's ceiling: Node turns anything longer into 1 ms, which would make a long wait a hot loop. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay setTimeout will honour: never negative or NaN, never past its ceiling. */
export function timerMs(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, timerMs(ms));
    signal.addEventListener("abort", done, { once: true });
  });
