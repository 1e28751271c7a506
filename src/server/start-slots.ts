// Operations that the two subscription transports start, a few a turn. One socket's read can carry
// hundreds of subscribe messages, and a client can post hundreds of operations at once; each is parsed,
// validated, priced and compiled (a selector of a hundred requirements), and its answer written, in
// promise continuations that never let the event loop turn: four hundred such starts held every other
// client for a quarter of a second. Past a few a turn, the rest wait, first come first served.

/** Operations started in one turn: each takes a millisecond or so at the document and selector bounds. */
export const startsPerTurn = 4;

const waiting: (() => void)[] = [];
let startedThisTurn = 0;
let turnScheduled = false;

function nextTurn(): void {
  turnScheduled = false;
  startedThisTurn = 0;
  while (startedThisTurn < startsPerTurn && waiting.length > 0) {
    startedThisTurn++;
    waiting.shift()!();
  }
  if (startedThisTurn > 0) scheduleTurn();
}

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(nextTurn);
}

/** Resolves when the operation may start: in this turn while it has room and nothing waits, later otherwise. */
export function startSlot(): Promise<void> {
  scheduleTurn();
  if (waiting.length === 0 && startedThisTurn < startsPerTurn) {
    startedThisTurn++;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

/** Operations waiting to start. */
export function startsWaiting(): number {
  return waiting.length;
}
