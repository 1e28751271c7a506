import { ServerResponse } from "node:http";
import type { ExecutionResult } from "graphql";
import { GraphQLError, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ErrorCode, isResponseTooLarge, ResponseMeter } from "../api/index.js";
import { AdmissionRefused, CostAdmission } from "./cost-admission.js";
import { maxNesting } from "./nesting.js";
import type { ServerLimits } from "./options.js";
import { type CostedOperation, type ScanSize, weighOperation } from "./query-cost.js";
import { queryLimitsRule } from "./query-limits.js";
import { resultWrittenOf } from "./result-written.js";

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
export function withoutPartialResponse(result: ExecutionResult): ExecutionResult | undefined {
  const tooLarge = result.errors?.find(isResponseTooLarge);
  return tooLarge === undefined ? undefined : { errors: [tooLarge] };
}

/** What onExecute and onSubscribe both hand over. */
interface Admission {
  args: CostedOperation;
  extendContext(extension: { responseMeter: ResponseMeter }): void;
  setResultAndStopExecution(result: ExecutionResult): void;
}

function serverBusy(message: string): GraphQLError {
  return refused(ErrorCode.ServerBusy, 503, message);
}

/** The HTTP response an operation is answered on (yoga puts node's in the context); none over WebSocket or SSE. */
function httpResponseOf(context: unknown): ServerResponse | undefined {
  const response = (context as { res?: unknown } | null | undefined)?.res;
  return response instanceof ServerResponse ? response : undefined;
}

/** Resolves once an HTTP response is written, or its connection gone. */
function sent(response: ServerResponse): Promise<void> {
  if (response.closed) return Promise.resolve();
  return new Promise((resolve) => response.once("close", () => resolve()));
}

/**
 * Calls `release` once the result is written, or `holdMs` after now, whichever comes first: a client that
 * reads slowly holds the room that long at most; past it, the idle-socket timeout (HTTP) and the
 * connections' own bounds (WebSocket, SSE) limit what its result keeps in memory.
 */
function releaseWhenWritten(written: Promise<void>, release: () => void, holdMs: number): void {
  const timer = setTimeout(release, holdMs);
  void written.then(() => {
    clearTimeout(timer);
    release();
  });
}

function costLimitsOf(limits: ServerLimits) {
  return {
    maxCost: limits.maxCost,
    defaultPageSize: limits.defaultPageSize,
    maxPageSize: limits.maxPageSize,
  };
}

/**
 * Prices an operation with its variables: over budget, the refusal; within it, the response meter it
 * runs with. Yoga's hooks call it for what yoga executes, the fan-out for the subscriptions it runs.
 */
export function admitOperation(
  args: CostedOperation,
  limits: ServerLimits,
  scanSize: ScanSize,
): { refusal: GraphQLError } | { responseMeter: ResponseMeter } {
  const verdict = weighOperation(args, costLimitsOf(limits), scanSize);
  return "refusal" in verdict ? verdict : { responseMeter: new ResponseMeter(limits.maxResponseBytes) };
}

/**
 * Every bound on a GraphQL request, in yoga's envelop so that HTTP and WebSocket get the same: before
 * parsing, the document's length and bracket nesting (graphql-js parses recursively and would overflow
 * the stack); at validation, depth, fields and aliases; before execution, the operation's cost with its
 * variables and the scans its filters make of the graph as it is (not at validation, whose results yoga
 * caches per document), and for a query or mutation room beside the others running (CostAdmission);
 * during execution, the bytes of the response.
 */
export function useQueryLimits(
  limits: ServerLimits,
  scanSize: ScanSize,
): Plugin<{ responseMeter?: ResponseMeter }> {
  const rule = queryLimitsRule(limits);
  const admission = new CostAdmission(limits);
  /** The cost of an operation within budget; one over it ends with the refusal. */
  const weighed = (operation: Admission): number | undefined => {
    const verdict = weighOperation(operation.args, costLimitsOf(limits), scanSize);
    if ("refusal" in verdict) {
      operation.setResultAndStopExecution({ errors: [verdict.refusal] });
      return undefined;
    }
    return verdict.cost;
  };
  const startMeter = (operation: Admission) =>
    operation.extendContext({ responseMeter: new ResponseMeter(limits.maxResponseBytes) });
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
    async onExecute(payload) {
      const cost = weighed(payload);
      if (cost === undefined) return;
      let release: () => void;
      try {
        release = await admission.admit(cost);
      } catch (error) {
        if (!(error instanceof AdmissionRefused)) throw error;
        payload.setResultAndStopExecution({ errors: [serverBusy(error.message)] });
        return;
      }
      startMeter(payload);
      const { executeFn } = payload;
      const response = httpResponseOf(payload.args.contextValue);
      const written = response === undefined ? resultWrittenOf(payload.args.contextValue) : sent(response);
      // The room is given back once the result is written out too, on whichever transport, however
      // execution ends (a throw included).
      payload.setExecuteFn(async (args) => {
        try {
          return await executeFn(args);
        } finally {
          if (written === undefined) release();
          else releaseWhenWritten(written, release, limits.maxResponseHoldMs);
        }
      });
      return {
        onExecuteDone({ result, setResult }) {
          if (!("errors" in result)) return;
          const stopped = withoutPartialResponse(result);
          if (stopped !== undefined) setResult(stopped);
        },
      };
    },
    onSubscribe(payload) {
      // A subscription is weighed per change and runs as long as it is wanted: it takes no room here.
      if (weighed(payload) === undefined) return;
      startMeter(payload);
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
