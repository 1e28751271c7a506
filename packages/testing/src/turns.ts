/**
 * Counts turns of the event loop (one setImmediate each) until stopped: `now()` says which turn work ran
 * in, so that a test can check how work was spread over turns without timing anything.
 */
export function countTurns(): { now(): number; stop(): void } {
  let turn = 0;
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    now: () => turn,
    stop: () => {
      counting = false;
    },
  };
}
