// "Did you mean": the nearest known name to one a user mistyped, for the errors that refuse it.

/**
 * Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`, or `limit + 1` as soon as
 * it is clear there are more than `limit`: three rows of the table, so a comparison allocates little.
 */
function distance(a: string, b: string, limit: number): number {
  let twoBack = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, twoBack[j - 2]! + 1);
      }
      current[j] = best;
      rowBest = Math.min(rowBest, best);
    }
    // Every later row builds on this one (or the one before, for a swap, which is no lower): once
    // both pass the limit, so does the answer.
    if (rowBest > limit && Math.min(...previous) > limit) return limit + 1;
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  return previous[b.length]!;
}

/**
 * The known name nearest to a mistyped one (compared in any case), when it is near enough to be what
 * was meant: a setting's key, a kind, an apiVersion.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  // Unknown names come from the user; a long one is not a typo of a known name, and is not worth the
  // quadratic comparison.
  if (name.length > 64) return undefined;
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const near = nearEnough(candidate);
    // The distance is at least the difference in length: a candidate that cannot come near enough is
    // not worth comparing, so a name is checked against hundreds of kinds in microseconds.
    if (Math.abs(candidate.length - lower.length) > Math.min(near, bestDistance)) continue;
    const d = distance(lower, candidate.toLowerCase(), Math.min(near, bestDistance));
    if (d <= near && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** How many edits away from a known name a typo of it may be. */
function nearEnough(known: string): number {
  return Math.max(1, Math.floor(known.length / 3));
}
