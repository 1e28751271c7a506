// A small typed GraphQL client for tests: queries over fetch, subscriptions over graphql-ws, both
// taking the TypedDocumentNodes that `npm run codegen` writes to test/generated/.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type ExecutionResult, type GraphQLFormattedError, print } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

export interface QueryResult<TData> {
  status: number;
  data?: TData | null | undefined;
  errors?: readonly GraphQLFormattedError[] | undefined;
}

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` (on the WebSocket upgrade for subscriptions). */
  token?: string;
  /** Extra headers, e.g. a Cookie or an Origin. */
  headers?: Record<string, string>;
  /** graphql-ws connection_init payload. */
  connectionParams?: Record<string, unknown>;
}

function headersOf(options: ClientOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return headers;
}

/** Runs a query or mutation over HTTP POST; the HTTP status is returned beside the GraphQL result. */
export async function query<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  token?: string,
  options: ClientOptions = {},
): Promise<QueryResult<TData>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...headersOf({ ...options, ...(token === undefined ? {} : { token }) }),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: response.status, errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  const result = body as ExecutionResult<TData>;
  return { status: response.status, data: result.data, errors: result.errors };
}

/** Like query, but returns the data and throws on any error: for the tests' happy paths. */
export async function queryData<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  token?: string,
): Promise<TData> {
  const result = await query(url, document, variables, token);
  if (result.errors !== undefined && result.errors.length > 0) {
    throw new Error(
      `GraphQL errors (HTTP ${result.status}): ${result.errors.map((e) => e.message).join("; ")}`,
    );
  }
  if (result.data === undefined || result.data === null) throw new Error(`no data (HTTP ${result.status})`);
  return result.data;
}

/** The socket closed the subscription; `code` is the WebSocket close code (4401: Unauthorized). */
export class SubscriptionClosedError extends Error {
  override name = "SubscriptionClosedError";
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`subscription socket closed: ${code} ${reason}`);
  }
}

export class SubscriptionErrorsError extends Error {
  override name = "SubscriptionErrorsError";
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(`subscription errors: ${errors.map((e) => e.message).join("; ")}`);
  }
}

export interface Subscription<TData> extends AsyncIterable<TData> {
  /** The next event's data; rejects on GraphQL errors, on close, or after `timeoutMs` without one. */
  next(timeoutMs?: number): Promise<TData>;
  /** The next `count` events, in order. */
  take(count: number, timeoutMs?: number): Promise<TData[]>;
  close(): Promise<void>;
}

function asFailure(error: unknown): Error {
  if (error instanceof Error) return error;
  if (error !== null && typeof error === "object" && "code" in error && typeof error.code === "number") {
    const reason = "reason" in error && typeof error.reason === "string" ? error.reason : "";
    return new SubscriptionClosedError(error.code, reason);
  }
  if (Array.isArray(error)) return new SubscriptionErrorsError(error as GraphQLFormattedError[]);
  return new Error(String(error));
}

/** Opens a graphql-ws connection to the same URL (http → ws) and starts one subscription on it. */
export function subscribe<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  options: ClientOptions = {},
): Subscription<TData> {
  const headers = headersOf(options);
  class HeaderWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: HeaderWebSocket,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  const iterator = client.iterate<TData>({
    query: print(document),
    variables: (variables ?? {}) as Record<string, unknown>,
  });

  async function next(timeoutMs = 10_000): Promise<TData> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      if (!Number.isFinite(timeoutMs)) return;
      timer = setTimeout(() => reject(new Error(`no subscription event within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const step = await Promise.race([iterator.next(), timeout]).catch((error: unknown) => {
        throw asFailure(error);
      });
      if (step.done) throw new Error("the subscription ended");
      const result = step.value;
      if (result.errors !== undefined && result.errors.length > 0)
        throw new SubscriptionErrorsError(result.errors);
      if (result.data === undefined || result.data === null)
        throw new Error("subscription event without data");
      return result.data;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    next,
    async take(count, timeoutMs) {
      const events: TData[] = [];
      for (let i = 0; i < count; i++) events.push(await next(timeoutMs));
      return events;
    },
    async close() {
      await iterator.return?.();
      await client.dispose();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) yield await next(Number.POSITIVE_INFINITY);
    },
  };
}
