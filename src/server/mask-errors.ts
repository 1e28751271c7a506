import { maskError } from "graphql-yoga";

/**
 * True for an error the API raised on purpose (a GraphQLError not wrapping an unexpected failure). It
 * goes by name, not instanceof: a process can load graphql twice (its ESM and CommonJS builds), and an
 * instanceof check against the other copy would hide a client's "bad selector" behind "Unexpected error."
 */
export function isIntendedGraphQLError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10; depth++) {
    if (!(current instanceof Error) || current.name !== "GraphQLError") return false;
    const original: unknown = (current as Error & { originalError?: unknown }).originalError;
    if (original === undefined || original === null) return true;
    current = original;
  }
  return false;
}

/** Yoga's mask (internal failures become "Unexpected error."), letting intended errors through. */
export function maskUnexpectedErrors(error: unknown, message: string, isDev?: boolean): Error {
  return isIntendedGraphQLError(error) ? (error as Error) : maskError(error, message, isDev);
}
