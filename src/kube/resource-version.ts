// resourceVersions are opaque to clients, but every real server hands out etcd revisions: decimal
// integers that only grow within one cluster (one etcd). One that goes backwards says the server is
// not the one we were talking to (another cluster at the same address, or one restored from a
// backup), which is the one thing a client must notice. Anything that is not a plain decimal is
// left uncompared, as client-go leaves all of them.

const DECIMAL = /^(0|[1-9]\d*)$/;

/** Compares two resourceVersions as the integers they are, or undefined when either is not one. */
export function compareResourceVersions(a: string, b: string): number | undefined {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return undefined;
  // Compared as digit strings: etcd revisions are int64 and need not fit a double.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when `next` is a resourceVersion older than `previous` (both comparable). */
export function wentBackwards(previous: string, next: string): boolean {
  return (compareResourceVersions(next, previous) ?? 0) < 0;
}
