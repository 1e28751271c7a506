import type { FanoutSource, Sequenced } from "../fanout-source.js";

/**
 * A fan-out source read by one reader outside the fan-out (graphql-js's own subscribe, as in-process
 * callers use it): the roots the fan-out would send, in its order, through a queue bounded by the
 * source's capacity; a reader past it is caught up afresh, as a fan-out member is. It starts listening
 * when made (graphql-js makes it at subscribe), not at the first read, so nothing committed in between
 * is lost. `isLast` marks the root after which a finite stream (a log that ended) completes.
 */
export function readSource<C extends Sequenced>(
  source: FanoutSource<C>,
  isLast: (root: unknown) => boolean = () => false,
): AsyncIterableIterator<unknown> {
  const { feed } = source;
  const queue: unknown[] = [];
  let waiting: ((result: IteratorResult<unknown>) => void) | undefined;
  let done = false;
  const deliver = (root: unknown): void => {
    if (waiting === undefined) {
      if (queue.length >= source.capacity) queue.splice(0, queue.length, ...source.catchUp(feed.sequence));
      else queue.push(root);
      return;
    }
    const resolve = waiting;
    waiting = undefined;
    resolve(take(root));
  };
  // Where it starts, the backlog and the listener are read in one synchronous turn: nothing can commit
  // between them.
  const start = source.start();
  if (start.kind === "resync") queue.push(...source.catchUp(start.at));
  if (start.kind === "backlog") {
    for (let sequence = start.from; sequence <= feed.sequence; sequence++) {
      const change = feed.changeAt(sequence);
      if (change === undefined) {
        queue.splice(0, queue.length, ...source.catchUp(feed.sequence));
        break;
      }
      const event = source.project(change);
      if (event !== undefined) queue.push(event.root);
    }
  }
  const stop = feed.subscribe((change) => {
    if (done) return;
    const event = source.project(change);
    if (event !== undefined) deliver(event.root);
  });
  const finish = (): IteratorResult<unknown> => {
    if (!done) {
      done = true;
      queue.length = 0;
      stop();
      const resolve = waiting;
      waiting = undefined;
      resolve?.({ done: true, value: undefined });
    }
    return { done: true, value: undefined };
  };
  /** The result for a root; the stream ends after its last. */
  const take = (root: unknown): IteratorResult<unknown> => {
    if (isLast(root)) {
      queue.length = 0;
      done = true;
      stop();
    }
    return { done: false, value: root };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (queue.length > 0) return Promise.resolve(take(queue.shift()));
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: () => Promise.resolve(finish()),
    throw: () => Promise.resolve(finish()),
  };
}
