import type { ExecutionResult } from "graphql";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { maxQuotedChars, quoteExcerpt } from "../graph/index.js";

/** No error message is longer than this, whatever it quotes. */
const maxMessageChars = 1000;

const quoted = /"(?:[^"\\]|\\.)*"/g;

function excerptOf(literal: string): string {
  try {
    const value: unknown = JSON.parse(literal);
    if (typeof value === "string") return quoteExcerpt(value);
  } catch {
    // graphql-js quotes some names without escaping them; cut the literal as it stands.
  }
  return quoteExcerpt(literal.slice(1, -1));
}

/**
 * A message with every long quotation cut to an excerpt. graphql-js quotes what the client sent in
 * its own messages (a variable's value that does not coerce, an unknown field's name, the token a
 * syntax error stopped at), so a 900 KB variable would otherwise come back whole.
 */
export function boundedMessage(message: string): string {
  if (message.length <= maxQuotedChars) return message;
  const cut = message.replace(quoted, (literal) =>
    literal.length > maxQuotedChars + 2 ? excerptOf(literal) : literal,
  );
  return cut.length <= maxMessageChars ? cut : `${cut.slice(0, maxMessageChars)}… (message cut)`;
}

export function boundedError<E extends Error>(error: E): E | GraphQLError {
  const message = boundedMessage(error.message);
  if (message === error.message) return error;
  if (!(error instanceof GraphQLError)) {
    error.message = message;
    return error;
  }
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

function boundedResult(result: ExecutionResult): ExecutionResult | undefined {
  const errors = result.errors;
  if (errors === undefined || errors.every((e) => boundedMessage(e.message) === e.message)) return undefined;
  return { ...result, errors: errors.map(boundedError) };
}

/** Keeps every GraphQL error short, from parsing to each delivered change, on every transport. */
export function useBoundedErrors(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof Error) replaceParseResult(boundedError(result));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.some((e) => boundedMessage(e.message) !== e.message)) setResult(result.map(boundedError));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!("errors" in result)) return;
          const bounded = boundedResult(result);
          if (bounded !== undefined) setResult(bounded);
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) {
            const bounded = boundedResult(result);
            if (bounded !== undefined) setResult(bounded);
            return;
          }
          return {
            onNext({ result: next, setResult: setNext }) {
              const bounded = boundedResult(next);
              if (bounded !== undefined) setNext(bounded);
            },
          };
        },
      };
    },
  };
}
