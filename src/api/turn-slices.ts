// Costly resolver work (parsing a stored object back for its `spec` or `status`) done in slices of a
// few milliseconds of each turn of the event loop. graphql-js calls the resolvers of a whole page in
// one synchronous pass: a page of a thousand specs would hold the process for tens of milliseconds,
// four such pages with their statuses for hundreds, and every other client would wait that long. Work past a
// turn's slice waits for the next turn, first come first served, so other requests and timers run
// between slices, and the operation's result is the same.

/** Resolver work done in one turn before the rest waits for the next: a few milliseconds. */
const sliceMs = 4;

/** When the current turn's slice ends; undefined until work starts a slice in a turn. */
let sliceEnd: number | undefined;
/** Resolves at the start of the next turn; what waits for it runs in the order it came. */
let nextTurn: Promise<void> | undefined;

function waitForNextTurn(): Promise<void> {
  nextTurn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      nextTurn = undefined;
      sliceEnd = undefined;
      resolve();
    }),
  );
  return nextTurn;
}

/** Runs `work` now when this turn's slice has room for it, and in a later turn's slice otherwise. */
export function inTurnSlices<T>(work: () => T): T | Promise<T> {
  const now = performance.now();
  if (sliceEnd === undefined) {
    sliceEnd = now + sliceMs;
    // The slice belongs to this turn: the next one starts afresh, whether or not anything waited.
    void waitForNextTurn();
  }
  if (now <= sliceEnd) return work();
  return waitForNextTurn().then(() => inTurnSlices(work));
}

/** Items of a long list completed in one turn before the rest waits for later ones. */
const itemsPerTurn = 100;

/**
 * A list whose items past the first hundred arrive in later turns, a hundred a turn. graphql-js
 * completes every item of a list in one synchronous pass, however cheap each resolver is: a thousand
 * objects held the event loop for tens of milliseconds, four pages of them for over a hundred. Items
 * that are promises are completed when they resolve, so the pass is cut into turns, in order.
 */
export function acrossTurns<T>(items: readonly T[]): (T | Promise<T>)[] {
  if (items.length <= itemsPerTurn) return [...items];
  const out: (T | Promise<T>)[] = items.slice(0, itemsPerTurn);
  let turn: Promise<void> = Promise.resolve();
  for (let start = itemsPerTurn; start < items.length; start += itemsPerTurn) {
    turn = turn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const reached = turn;
    for (let i = start; i < Math.min(start + itemsPerTurn, items.length); i++)
      out.push(reached.then(() => items[i]!));
  }
  return out;
}
