// A query's result is written by the transport that carries it, after yoga's envelop has executed it:
// these tell the limits when that has happened, so that an operation's room among those running at once
// (CostAdmission) covers the bytes of its result as well as building it.

const writtenKey = Symbol("meshsync.resultWritten");

interface Carrier {
  [writtenKey]?: Promise<void>;
}

/** Marks a context as one whose result its transport will report written; call the returned function then. */
export function expectResultWritten(context: object): () => void {
  let done!: () => void;
  (context as Carrier)[writtenKey] = new Promise<void>((resolve) => {
    done = resolve;
  });
  return done;
}

/** Resolves once the transport has written the result of the operation run with this context, if it will say. */
export function resultWrittenOf(context: unknown): Promise<void> | undefined {
  if (context === null || typeof context !== "object") return undefined;
  return (context as Carrier)[writtenKey];
}
