import { type ExecutionArgs, type ExecutionResult, execute, GraphQLError } from "graphql";
import { jsonPieces, stringifyWithRawJson } from "../../api/index.js";

/**
 * Renders one source event through an operation's selection set, serialized once for every reader: as
 * bytes, so that no frame copies or re-encodes it.
 */
export type Render = (rootValue: unknown) => Buffer | Promise<Buffer>;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** As yoga masks errors on HTTP: a resolver's own failure is not shown to the client. */
function masked(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (original === undefined || original instanceof GraphQLError) return error;
  return new GraphQLError("Unexpected error.", { nodes: error.nodes, path: error.path });
}

function withMaskedErrors(result: ExecutionResult): ExecutionResult {
  const errors = result.errors?.map(masked);
  return errors === undefined ? result : { ...result, errors };
}

export function serializeResult(result: ExecutionResult): string {
  return stringifyWithRawJson(withMaskedErrors(result));
}

/** serializeResult's text as the pieces it joins, for a transport that writes a long result in parts. */
export function resultPieces(result: ExecutionResult): string[] {
  return jsonPieces(withMaskedErrors(result));
}

/**
 * graphql-js's own mapping of a subscription event: execute the operation with the event as root.
 * `finish` gives the server's limits their say on each result before it is serialized.
 */
export function createRender(
  args: ExecutionArgs,
  finish: (result: ExecutionResult) => ExecutionResult = (result) => result,
): Render {
  return (rootValue) => {
    const result = execute({ ...args, rootValue });
    const bytes = (done: ExecutionResult) => Buffer.from(serializeResult(finish(done)));
    return isPromise(result) ? result.then(bytes) : bytes(result);
  };
}
