import { GraphQLError } from "graphql";
import { CursorError, FilterError, SelectorError } from "../graph/index.js";
import { ErrorCode } from "./codes.js";

/** A mistake in what the client sent, reported as such instead of as a server fault. */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput } });
}

/**
 * Turns the graph's input errors (bad selector, foreign cursor, negative page size) into client errors
 * with their message; anything else is a server fault and is rethrown for the error mask to hide.
 */
export function asClientError(error: unknown): unknown {
  if (
    error instanceof FilterError ||
    error instanceof CursorError ||
    error instanceof SelectorError ||
    error instanceof RangeError
  ) {
    return badInput(error.message);
  }
  return error;
}
