// "Did you mean": the nearest known name to one a user mistyped, for the errors that refuse it.

/** Three rows of the edit table, reused by every comparison: a search allocates nothing per name. */
let rows = new Int32Array(3 * 66);

/**
 * Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`, or `limit + 1` as soon as
 * it is clear there are more than `limit`.
 */
function distance(a: string, b: string, limit: number): number {
  const width = b.length + 1;
  if (rows.length < 3 * width) rows = new Int32Array(3 * width);
  // Offsets of the rows for i - 2, i - 1 and i in `rows`.
  let twoBack = 0;
  let previous = width;
  let current = 2 * width;
  for (let j = 0; j < width; j++) rows[previous + j] = j;
  for (let i = 1; i <= a.length; i++) {
    const ac = a.charCodeAt(i - 1);
    rows[current] = i;
    let rowBest = i;
    for (let j = 1; j < width; j++) {
      const bc = b.charCodeAt(j - 1);
      let best = rows[previous + j - 1]! + (ac === bc ? 0 : 1);
      const deleted = rows[previous + j]! + 1;
      if (deleted < best) best = deleted;
      const inserted = rows[current + j - 1]! + 1;
      if (inserted < best) best = inserted;
      if (i > 1 && j > 1 && ac === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bc) {
        const swapped = rows[twoBack + j - 2]! + 1;
        if (swapped < best) best = swapped;
      }
      rows[current + j] = best;
      if (best < rowBest) rowBest = best;
    }
    // No later cell is below this row's least: a swap two rows down costs no less than the replace or
    // match beside it in this row. Past the limit here, past it in the answer.
    if (rowBest > limit) return limit + 1;
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  return rows[previous + b.length]!;
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
