// The watch cache serves a read that names a resourceVersion only once it has caught up to it, and
// waits for that at most blockTimeout (3 s in kube-apiserver's watch_cache.go) before giving up
// with "Too large resource version". The simulator's store is its own watch cache; this is the wait.

/** kube-apiserver's blockTimeout. */
export const FRESHNESS_WAIT_MS = 3_000;
// A restart fault moves the counter without a change event, so the wait looks rather than listens.
const POLL_MS = 20;

/**
 * Resolves true once the store has reached the resourceVersion, false when the wait is over first
 * or the caller gave up (`abandoned` turned true).
 */
export function untilResourceVersion(
  current: () => number,
  resourceVersion: number,
  abandoned: () => boolean = () => false,
  waitMs = FRESHNESS_WAIT_MS,
): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  return new Promise((resolve) => {
    const look = () => {
      if (current() >= resourceVersion) return resolve(true);
      if (abandoned() || Date.now() >= deadline) return resolve(false);
      setTimeout(look, POLL_MS).unref();
    };
    look();
  });
}
