import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from "graphql-sse";
import type { Logger } from "pino";
import { ErrorCode } from "../api/index.js";
import { type Connection, type Fanout, serializeResult } from "./fanout/index.js";
import { type OperationParams, type PreparedOperation, prepareOperation } from "./operation.js";
import type { ServerLimits } from "./options.js";
import { SseStream } from "./sse-stream.js";
import type { MeshsyncYoga } from "./yoga.js";

export interface GraphqlSseOptions {
  yoga: MeshsyncYoga;
  fanout: Fanout;
  /** Part of every group key: who the clients are ("token" when one is required). */
  scope: string;
  limits: ServerLimits;
  logger: Logger;
  refused(reason: string): void;
  subscribed(outcome: "ok" | "error"): void;
  /** Connections of every transport that count against maxConnections. */
  connections(): number;
}

export interface GraphqlSse {
  /** Whether this request is graphql-sse's (a stream, a reservation, or an operation on one). */
  handles(request: IncomingMessage, url: URL): boolean;
  handle(request: IncomingMessage, response: ServerResponse, url: URL): void;
  close(): void;
}

interface Reservation {
  readonly stream: SseStream;
  readonly connection: Connection;
  readonly operations: Set<string>;
  readonly expiry: NodeJS.Timeout;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(
  response: ServerResponse,
  status: number,
  errors: readonly (GraphQLError | { message: string })[],
): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(serializeResult({ errors: errors as readonly GraphQLError[] }));
}

function empty(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}

function acceptsStream(request: IncomingMessage): boolean {
  return (request.headers.accept ?? "").includes("text/event-stream");
}

function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers[TOKEN_HEADER_KEY];
  if (typeof header === "string" && header !== "") return header;
  return url.searchParams.get(TOKEN_QUERY_KEY) ?? undefined;
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestError(413, `the request body is over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function objectOrNull(value: unknown, what: string): Record<string, unknown> | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== "object" || Array.isArray(value))
    throw new RequestError(400, `${what} must be an object`);
  return value as Record<string, unknown>;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, `${what} is not JSON`);
  }
}

/** The GraphQL request of a graphql-sse request: the query string of a GET, the JSON body of a POST. */
async function paramsOf(request: IncomingMessage, url: URL, limit: number): Promise<OperationParams> {
  let raw: Record<string, unknown>;
  if (request.method === "GET") {
    const search = url.searchParams;
    raw = {
      query: search.get("query") ?? undefined,
      operationName: search.get("operationName") ?? undefined,
      variables: search.has("variables") ? parseJson(search.get("variables")!, "variables") : undefined,
      extensions: search.has("extensions") ? parseJson(search.get("extensions")!, "extensions") : undefined,
    };
  } else if (request.method === "POST") {
    if (!(request.headers["content-type"] ?? "").includes("application/json")) {
      throw new RequestError(415, "the body must be application/json");
    }
    const body = parseJson(await readBody(request, limit), "the body");
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new RequestError(400, "the body must be a JSON object");
    }
    raw = body as Record<string, unknown>;
  } else {
    throw new RequestError(405, `${request.method} is not a graphql-sse request`);
  }
  if (typeof raw.query !== "string") throw new RequestError(400, "the request has no query string");
  const operationName = raw.operationName;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    throw new RequestError(400, "operationName must be a string");
  }
  return {
    query: raw.query,
    operationName,
    variables: objectOrNull(raw.variables, "variables"),
    extensions: objectOrNull(raw.extensions, "extensions"),
  };
}

/**
 * The server side of graphql-sse's protocol, both modes, over the same fan-out, limits and budget as
 * graphql-ws. Auth and the Origin rule are the HTTP route's, checked before a request reaches here.
 * graphql-sse's own client is the conformance test.
 */
export function createGraphqlSse(options: GraphqlSseOptions): GraphqlSse {
  const { yoga, fanout, limits, logger, refused } = options;
  const reservations = new Map<string, Reservation>();
  const distinct = new Set<SseStream>();

  function roomForOne(response: ServerResponse): boolean {
    if (options.connections() < limits.maxConnections) return true;
    refused("connections");
    json(response, 503, [{ message: `the server has ${limits.maxConnections} connections, its limit` }]);
    return false;
  }

  function openStream(single: boolean, onEnd: () => void): { stream: SseStream; connection: Connection } {
    let connection: Connection | undefined;
    const stream = new SseStream(
      limits,
      single,
      () => connection?.wake(),
      () => {
        connection?.release();
        onEnd();
      },
      (reason) => connection?.evict(reason, "too_slow"),
    );
    connection = fanout.open(stream.sink(), options.scope);
    return { stream, connection };
  }

  /** Starts a prepared operation on a connection; returns the errors it was refused with, if any. */
  function start(
    prepared: PreparedOperation,
    connection: Connection,
    stream: SseStream,
    id: string,
    onDone: () => void,
  ): readonly GraphQLError[] | undefined {
    const idJson = JSON.stringify(id);
    switch (prepared.kind) {
      case "errors":
        refused(prepared.stage);
        return prepared.errors;
      case "result":
        stream.result(idJson, prepared.result, prepared.written);
        onDone();
        return undefined;
      case "changes": {
        const busy = fanout.subscribe(connection, id, prepared.subscription, prepared.key, prepared.render);
        options.subscribed(busy === undefined ? "ok" : "error");
        if (busy !== undefined) {
          refused("budget");
          return [busy];
        }
        return undefined;
      }
    }
  }

  async function distinctStream(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const params = await paramsOf(request, url, limits.maxRequestBytes);
    if (!roomForOne(response)) return;
    const prepared = await prepareOperation(yoga, limits, params, request);
    if (prepared.kind === "errors" && prepared.stage === "parse") {
      refused("parse");
      json(response, 400, prepared.errors);
      return;
    }
    if (response.destroyed) return;
    const { stream, connection } = openStream(false, () => distinct.delete(stream));
    distinct.add(stream);
    stream.attach(response);
    const errors = start(prepared, connection, stream, "", () => stream.close());
    if (errors !== undefined) {
      // graphql-sse: errors before execution travel on the accepted stream as a `next`, then `complete`.
      stream.next('""', serializeResult({ errors }));
      stream.complete('""');
      stream.close();
    }
  }

  function reserve(response: ServerResponse): void {
    if (!roomForOne(response)) return;
    const token = randomUUID();
    const { stream, connection } = openStream(true, () => {
      const reservation = reservations.get(token);
      if (reservation !== undefined) clearTimeout(reservation.expiry);
      reservations.delete(token);
    });
    const expiry = setTimeout(() => {
      if (!stream.attached) {
        refused("init_timeout");
        stream.close();
      }
    }, limits.connectionInitTimeoutMs);
    expiry.unref();
    reservations.set(token, { stream, connection, operations: new Set(), expiry });
    response.writeHead(201, { "content-type": "text/plain; charset=utf-8" });
    response.end(token);
  }

  async function operate(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    reservation: Reservation,
  ): Promise<void> {
    const params = await paramsOf(request, url, limits.maxRequestBytes);
    const id = params.extensions?.operationId;
    if (typeof id !== "string" || id === "") throw new RequestError(400, "Operation ID is missing");
    if (reservation.operations.has(id)) throw new RequestError(409, "Operation with ID already exists");
    if (reservation.operations.size >= limits.maxSubscriptionsPerSocket) {
      refused("subscriptions_per_socket");
      json(response, 429, [
        new GraphQLError(
          `at most ${limits.maxSubscriptionsPerSocket} operations may run at once on one connection`,
          {
            extensions: { code: ErrorCode.TooManySubscriptions },
          },
        ),
      ]);
      return;
    }
    reservation.operations.add(id);
    const prepared = await prepareOperation(yoga, limits, params, request);
    if (!reservation.operations.has(id) || reservation.connection.closed) return empty(response, 204);
    const errors = start(prepared, reservation.connection, reservation.stream, id, () =>
      reservation.operations.delete(id),
    );
    if (errors !== undefined) {
      reservation.operations.delete(id);
      const busy = errors.some((e) => e.extensions.code === ErrorCode.ServerBusy);
      json(response, busy ? 503 : 400, errors);
      return;
    }
    empty(response, 202);
  }

  function stop(response: ServerResponse, url: URL, reservation: Reservation): void {
    const id = url.searchParams.get("operationId");
    if (id === null || id === "") throw new RequestError(400, "Operation ID is missing");
    if (reservation.operations.delete(id)) {
      reservation.connection.stop(id);
      reservation.stream.complete(JSON.stringify(id));
    }
    empty(response, 200);
  }

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const token = tokenOf(request, url);
    if (request.method === "PUT") return reserve(response);
    if (token === undefined) return distinctStream(request, response, url);
    const reservation = reservations.get(token);
    if (reservation === undefined) return json(response, 404, [{ message: "Stream not found" }]);
    if (request.method === "DELETE") return stop(response, url, reservation);
    if (acceptsStream(request)) {
      if (reservation.stream.attached) return json(response, 409, [{ message: "Stream already open" }]);
      reservation.stream.attach(response);
      return;
    }
    return operate(request, response, url, reservation);
  }

  return {
    handles(request, url) {
      const method = request.method;
      if (method === "OPTIONS") return false;
      return (
        method === "PUT" ||
        method === "DELETE" ||
        acceptsStream(request) ||
        tokenOf(request, url) !== undefined
      );
    },
    handle(request, response, url) {
      route(request, response, url).catch((error: unknown) => {
        if (error instanceof RequestError) {
          refused("request");
          json(response, error.status, [{ message: error.message }]);
          return;
        }
        logger.error({ err: error }, "graphql-sse request failed");
        if (!response.headersSent) json(response, 500, [{ message: "Internal server error" }]);
        else response.destroy();
      });
    },
    close() {
      for (const reservation of reservations.values()) reservation.stream.close("server shutting down");
      for (const stream of distinct) stream.close("server shutting down");
    },
  };
}
