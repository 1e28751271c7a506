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

/** Items of long lists completed in one turn, all lists together, before the rest wait for later ones. */
const itemsPerTurn = 100;

/** Items released in the current turn; reset at the start of the next. */
let itemsThisTurn = 0;
let itemTurnReset: Promise<void> | undefined;

function nextItemTurn(): Promise<void> {
  itemTurnReset ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      itemTurnReset = undefined;
      itemsThisTurn = 0;
      resolve();
    }),
  );
  return itemTurnReset;
}

/** Resolves in the first turn, from the next on, with room for `count` more items (or none taken yet). */
async function roomForItems(count: number): Promise<void> {
  do await nextItemTurn();
  while (itemsThisTurn > 0 && itemsThisTurn + count > itemsPerTurn);
  itemsThisTurn += count;
}

/**
 * A list whose items past the first hundred arrive in later turns, a hundred a turn among all such
 * lists. graphql-js completes every item of a list in one synchronous pass, however cheap each resolver
 * is: a thousand objects held the event loop for tens of milliseconds, four pages of them for over a
 * hundred. Items that are promises are completed when they resolve, so the pass is cut into turns, in
 * order; the four pages of one query share each turn's hundred.
 */
export function acrossTurns<T>(items: readonly T[]): (T | Promise<T>)[] {
  if (items.length <= itemsPerTurn) return [...items];
  const out: (T | Promise<T>)[] = items.slice(0, itemsPerTurn);
  let turn: Promise<void> = Promise.resolve();
  for (let start = itemsPerTurn; start < items.length; start += itemsPerTurn) {
    const count = Math.min(itemsPerTurn, items.length - start);
    turn = turn.then(() => roomForItems(count));
    const reached = turn;
    for (let i = start; i < start + count; i++) out.push(reached.then(() => items[i]!));
  }
  return out;
}
