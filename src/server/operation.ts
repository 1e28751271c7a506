import type { IncomingMessage } from "node:http";
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  visit,
} from "graphql";
import {
  type ApiContext,
  ErrorCode,
  type FanoutSource,
  isFanoutSource,
  type Sequenced,
} from "../api/index.js";
import { createRender, type Render } from "./fanout/index.js";
import { admitOperation, withoutPartialResponse } from "./limits-plugin.js";
import type { ServerLimits } from "./options.js";
import { expectResultWritten } from "./result-written.js";
import { startSlot } from "./start-slots.js";
import type { MeshsyncYoga } from "./yoga.js";

/** A GraphQL request as both transports receive it (graphql-ws subscribe payload, graphql-sse body). */
export interface OperationParams {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

export type PreparedOperation =
  /** Refused before anything ran: parse, limits, validation, or the subscribe resolver's own errors. */
  | { kind: "errors"; errors: readonly GraphQLError[]; stage: "parse" | "validation" | "execution" }
  /** A query or mutation, already executed; call `written` once its result is written out. */
  | { kind: "result"; result: ExecutionResult; written: () => void }
  /** A subscription for the fan-out: `key` names its group within an auth scope. */
  | { kind: "changes"; subscription: FanoutSource<Sequenced>; key: string; render: Render };

function asGraphQLErrors(error: unknown): GraphQLError[] {
  if (error instanceof GraphQLError) return [error];
  return [new GraphQLError(error instanceof Error ? error.message : String(error))];
}

/** Object keys sorted, so that the same variables in another order make the same key. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * The variable that carries the root field's `since`, when it is used nowhere else: it only says where
 * a subscriber starts, not how a change renders, so subscribers that differ only in it share a group.
 */
function resumeVariable(operation: OperationDefinitionNode): string | undefined {
  const root = operation.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) return undefined;
  const since = root.arguments?.find((argument) => argument.name.value === "since");
  if (since?.value.kind !== Kind.VARIABLE) return undefined;
  const name = since.value.name.value;
  let uses = 0;
  visit(operation, {
    Variable(node) {
      if (node.name.value === name) uses++;
    },
  });
  return uses === 2 ? name : undefined; // the definition and the since argument
}

function groupKey(
  query: string,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): string {
  const resume = resumeVariable(operation);
  const rest: Record<string, unknown> = { ...variables };
  if (resume !== undefined) delete rest[resume];
  return JSON.stringify([operationName ?? null, query, canonical(rest)]);
}

/**
 * Parses and validates through yoga's envelop (so the query limits apply), builds the context, and runs
 * a query or mutation, or opens a subscription's source stream. Both transports start every operation here,
 * a few a turn (startSlot): a burst of them is spread over turns, and other clients are served between.
 */
export async function prepareOperation(
  yoga: MeshsyncYoga,
  limits: ServerLimits,
  params: OperationParams,
  request: IncomingMessage,
): Promise<PreparedOperation> {
  await startSlot();
  const { schema, execute, contextFactory, parse, validate } = yoga.getEnveloped({ req: request, params });
  let document: DocumentNode;
  try {
    document = parse(params.query);
  } catch (error) {
    return { kind: "errors", errors: asGraphQLErrors(error), stage: "parse" };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { kind: "errors", errors, stage: "validation" };
  const operation = getOperationAST(document, params.operationName);
  if (operation === null || operation === undefined) {
    return {
      kind: "errors",
      errors: [new GraphQLError("Unable to identify operation")],
      stage: "validation",
    };
  }
  const args: ExecutionArgs = {
    schema,
    document,
    operationName: params.operationName ?? null,
    variableValues: params.variables ?? null,
    contextValue: await contextFactory(),
  };
  if (operation.operation !== "subscription") {
    const written = expectResultWritten(args.contextValue as object);
    return { kind: "result", result: (await execute(args)) as ExecutionResult, written };
  }
  // The fan-out runs subscriptions itself, not through yoga's subscribe, so it admits them as yoga's
  // hooks would: priced per delivered change, each change rendered against its own response meter.
  const { graph } = args.contextValue as ApiContext;
  const admission = admitOperation(args, limits, (filter) => graph.scanSize(filter));
  if ("refusal" in admission) return { kind: "errors", errors: [admission.refusal], stage: "validation" };
  args.contextValue = { ...(args.contextValue as object), responseMeter: admission.responseMeter };
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return { kind: "result", result: source, written: () => {} };
  if (!isFanoutSource(source)) {
    return {
      kind: "errors",
      stage: "execution",
      errors: [
        new GraphQLError("this subscription is not served by the change fan-out", {
          extensions: { code: ErrorCode.Unsupported },
        }),
      ],
    };
  }
  return {
    kind: "changes",
    subscription: source,
    key: groupKey(params.query, operation, params.operationName, params.variables),
    render: createRender(args, (result) => withoutPartialResponse(result) ?? result),
  };
}
