import type { ReplicaLag } from "../../api/index.js";

/** Several streams' lags as one: every change not applied counts, and the worst delay is the delay. */
export function combinedLag(lags: readonly ReplicaLag[]): ReplicaLag {
  let changes = 0;
  let seconds = 0;
  for (const lag of lags) {
    changes += lag.changes;
    seconds = Math.max(seconds, lag.seconds);
  }
  return { changes, seconds };
}
