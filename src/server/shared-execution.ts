import type { DocumentNode, ExecutionArgs, ExecutionResult } from "graphql";
import { createSourceEventStream, execute, print } from "graphql";
import type { Plugin } from "graphql-yoga";

/** Rendered results kept per operation, so that a subscriber a little behind the others still shares. */
const retainedResults = 256;

export interface SharedExecutionCounters {
  /** A change was rendered for an operation (a cache miss). */
  executed(): void;
  /** A rendered change was handed to one subscriber. */
  delivered(): void;
}

interface Operation {
  subscribers: number;
  results: Map<string, Promise<ExecutionResult>>;
}

const printed = new WeakMap<DocumentNode, string>();

function operationKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  return JSON.stringify([args.operationName ?? null, text, args.variableValues ?? null]);
}

/** Changes are identified by type and sequence (src/api ChangeEvent); anything else is rendered per subscriber. */
function eventKey(event: unknown): string | undefined {
  if (event === null || typeof event !== "object") return undefined;
  const { type, sequence } = event as { type?: unknown; sequence?: unknown };
  return typeof type === "string" && typeof sequence === "string" ? `${type} ${sequence}` : undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === "object" && Symbol.asyncIterator in value;
}

/**
 * Subscribers with the same operation and variables share one execution per change: each keeps its own
 * source stream (its own backlog, bounded queue and RESYNC), but a change is rendered through the
 * selection set once and the same result goes to all of them. Resolvers must therefore not depend on who
 * is asking, which holds here: the context is one per process.
 */
export function useSharedSubscriptionExecution(counters: SharedExecutionCounters): Plugin {
  const operations = new Map<string, Operation>();

  async function subscribeShared(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const iterator = source[Symbol.asyncIterator]();
    const key = operationKey(args);
    let operation = operations.get(key);
    if (operation === undefined) {
      operation = { subscribers: 0, results: new Map() };
      operations.set(key, operation);
    }
    operation.subscribers++;
    const shared = operation;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      shared.subscribers--;
      if (shared.subscribers === 0 && operations.get(key) === shared) operations.delete(key);
    };

    const render = (event: unknown): Promise<ExecutionResult> => {
      const id = eventKey(event);
      const known = id === undefined ? undefined : shared.results.get(id);
      if (known !== undefined) return known;
      counters.executed();
      const result = Promise.resolve(execute({ ...args, rootValue: event }));
      if (id !== undefined) {
        shared.results.set(id, result);
        if (shared.results.size > retainedResults) {
          const oldest = shared.results.keys().next().value;
          if (oldest !== undefined) shared.results.delete(oldest);
        }
      }
      return result;
    };

    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await iterator.next();
        if (step.done) {
          release();
          return { done: true, value: undefined };
        }
        const value = await render(step.value);
        counters.delivered();
        return { done: false, value };
      },
      async return() {
        release();
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      async throw(error?: unknown) {
        release();
        await iterator.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return results;
  }

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribeShared);
    },
  };
}
