import type { ExecutionResult } from "graphql";
import { GraphQLError, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ErrorCode, isResponseTooLarge, ResponseMeter } from "../api/index.js";
import { maxNesting } from "./nesting.js";
import type { ServerLimits } from "./options.js";
import { type CostedOperation, costRefusal, type ScanSize } from "./query-cost.js";
import { queryLimitsRule } from "./query-limits.js";

function sourceText(source: unknown): string {
  if (typeof source === "string") return source;
  if (source !== null && typeof source === "object" && "body" in source && typeof source.body === "string") {
    return source.body;
  }
  return "";
}

function refused(code: ErrorCode, status: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/**
 * A result that the response meter stopped carries the meter's error among the nulls it left;
 * the client gets that error alone, and none of the partial data.
 */
function withoutPartialResponse(result: ExecutionResult): ExecutionResult | undefined {
  const tooLarge = result.errors?.find(isResponseTooLarge);
  return tooLarge === undefined ? undefined : { errors: [tooLarge] };
}

/** What onExecute and onSubscribe both hand over. */
interface Admission {
  args: CostedOperation;
  extendContext(extension: { responseMeter: ResponseMeter }): void;
  setResultAndStopExecution(result: ExecutionResult): void;
}

/**
 * Every bound on a GraphQL request, in yoga's envelop so that HTTP and WebSocket get the same: before
 * parsing, the document's length and bracket nesting (graphql-js parses recursively and would overflow
 * the stack); at validation, depth, fields and aliases; before execution, the operation's cost with its
 * variables and the scans its filters make of the graph as it is (not at validation, whose results yoga
 * caches per document); during execution, the bytes of the response.
 */
export function useQueryLimits(
  limits: ServerLimits,
  scanSize: ScanSize,
): Plugin<{ responseMeter?: ResponseMeter }> {
  const rule = queryLimitsRule(limits);
  const costLimits = {
    maxCost: limits.maxCost,
    defaultPageSize: limits.defaultPageSize,
    maxPageSize: limits.maxPageSize,
  };
  /** An operation within budget starts with a fresh response meter; one over it ends with the refusal. */
  const admitted = (operation: Admission): boolean => {
    const refusal = costRefusal(operation.args, costLimits, scanSize);
    if (refusal !== undefined) {
      operation.setResultAndStopExecution({ errors: [refusal] });
      return false;
    }
    operation.extendContext({ responseMeter: new ResponseMeter(limits.maxResponseBytes) });
    return true;
  };
  return {
    onParse({ params, setParseFn }) {
      const text = sourceText(params.source);
      if (text.length > limits.maxDocumentChars) {
        throw refused(
          ErrorCode.QueryTooLarge,
          413,
          `the document is ${text.length} characters long; the limit is ${limits.maxDocumentChars}`,
        );
      }
      if (maxNesting(text, limits.maxNesting) > limits.maxNesting) {
        throw refused(
          ErrorCode.QueryTooComplex,
          400,
          `the document nests brackets ({, ( or [) more than ${limits.maxNesting} deep; the limit is ${limits.maxNesting}`,
        );
      }
      setParseFn((source, options) => parse(source, { ...options, maxTokens: limits.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
    onExecute(payload) {
      if (!admitted(payload)) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!("errors" in result)) return;
          const stopped = withoutPartialResponse(result);
          if (stopped !== undefined) setResult(stopped);
        },
      };
    },
    onSubscribe(payload) {
      if (!admitted(payload)) return;
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const stopped = withoutPartialResponse(result);
              if (stopped !== undefined) setResult(stopped);
            },
          };
        },
      };
    },
  };
}
