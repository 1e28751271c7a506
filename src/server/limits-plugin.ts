import { GraphQLError, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ErrorCode } from "../api/index.js";
import type { ServerLimits } from "./options.js";
import { queryLimitsRule } from "./query-limits.js";

function sourceLength(source: unknown): number {
  if (typeof source === "string") return source.length;
  if (source !== null && typeof source === "object" && "body" in source && typeof source.body === "string") {
    return source.body.length;
  }
  return 0;
}

/**
 * Rejects an oversized, too deep, too wide or alias-heavy document before any resolver runs. Applies to
 * HTTP and WebSocket alike, since both go through yoga's envelop.
 */
export function useQueryLimits(limits: ServerLimits): Plugin {
  const rule = queryLimitsRule(limits);
  return {
    onParse({ params, setParseFn }) {
      const length = sourceLength(params.source);
      if (length > limits.maxDocumentChars) {
        throw new GraphQLError(
          `the document is ${length} characters long; the limit is ${limits.maxDocumentChars}`,
          { extensions: { code: ErrorCode.QueryTooLarge, http: { status: 413 } } },
        );
      }
      setParseFn((source, options) => parse(source, { ...options, maxTokens: limits.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
