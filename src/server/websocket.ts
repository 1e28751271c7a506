import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ExecutionArgs } from "graphql";
import { GraphQLError } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import type { Counter } from "prom-client";
import { type WebSocket, WebSocketServer } from "ws";
import { ErrorCode } from "../api/index.js";
import { credentialOfConnectionParams, credentialOfHeaders } from "./auth.js";
import type { HostPolicy } from "./host.js";
import type { ServerLimits } from "./options.js";
import { originAllowed } from "./origin.js";
import { graphqlPath, type MeshsyncYoga } from "./yoga.js";

export interface GraphqlWebSocketOptions {
  yoga: MeshsyncYoga;
  token: string | undefined;
  allowedOrigins: readonly string[] | undefined;
  hosts: HostPolicy;
  limits: ServerLimits;
  logger: Logger;
  rejected: Counter<"reason">;
}

export interface GraphqlWebSocket {
  close(): Promise<void>;
}

/** How long clients get to answer the close frame at shutdown before their sockets are cut. */
const closeGraceMs = 1000;

type Engine = Pick<ReturnType<MeshsyncYoga["getEnveloped"]>, "execute" | "subscribe">;

const statusText: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  503: "Service Unavailable",
};

function refuseUpgrade(socket: Duplex, status: number): void {
  const text = statusText[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`,
  );
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}

function asGraphQLErrors(error: unknown): GraphQLError[] {
  if (error instanceof GraphQLError) return [error];
  return [new GraphQLError(error instanceof Error ? error.message : String(error))];
}

/**
 * graphql-ws on the HTTP server's /graphql path (yoga's recipe), with the token checked on the upgrade
 * or at connection_init, Origin checked on the upgrade, and the same envelop (limits, metrics, error
 * masking) as HTTP. Each subscription reads through its own bounded queue (src/api/change-stream.ts), and
 * graphql-ws waits for each send to be flushed before pulling the next event, so a client that stops
 * reading only fills its own queue.
 */
export function attachGraphqlWebSocket(server: Server, options: GraphqlWebSocketOptions): GraphqlWebSocket {
  const { yoga, token, allowedOrigins, limits, logger, rejected } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxRequestBytes });
  const authenticatedOnUpgrade = new WeakSet<WebSocket>();
  const engines = new WeakMap<ExecutionArgs, Engine>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", (error) => logger.debug({ err: error }, "websocket upgrade socket error"));
    if (pathOf(request) !== graphqlPath) {
      refuseUpgrade(socket, 404);
      return;
    }
    if (!originAllowed(request, allowedOrigins, options.hosts)) {
      rejected.inc({ reason: "origin" });
      logger.info({ origin: request.headers.origin }, "websocket refused: origin not allowed");
      refuseUpgrade(socket, 403);
      return;
    }
    const credential = token === undefined ? "absent" : credentialOfHeaders(request.headers, token);
    if (credential === "invalid") {
      rejected.inc({ reason: "unauthorized" });
      refuseUpgrade(socket, 401);
      return;
    }
    if (wss.clients.size >= limits.maxConnections) {
      rejected.inc({ reason: "connections" });
      logger.warn({ limit: limits.maxConnections }, "websocket refused: too many open connections");
      refuseUpgrade(socket, 503);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (credential === "valid") authenticatedOnUpgrade.add(ws);
      wss.emit("connection", ws, request);
    });
  };
  server.on("upgrade", onUpgrade);

  const disposable = useServer(
    {
      execute: (args) => engines.get(args)!.execute(args),
      subscribe: (args) => engines.get(args)!.subscribe(args),
      onConnect: (ctx) => {
        const remote = ctx.extra.request.socket.remoteAddress;
        if (
          token === undefined ||
          authenticatedOnUpgrade.has(ctx.extra.socket) ||
          credentialOfConnectionParams(ctx.connectionParams, token) === "valid"
        ) {
          logger.debug({ remote }, "graphql-ws connection accepted");
          return true;
        }
        rejected.inc({ reason: "unauthorized" });
        logger.info({ remote }, "graphql-ws connection refused: missing or wrong token");
        // graphql-ws would close with 4403; a missing or wrong token is 4401, as for a subscribe before init.
        ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized");
        return false;
      },
      onClose: (ctx, code, reason) => {
        logger.debug(
          { remote: ctx.extra.request.socket.remoteAddress, code, reason },
          "graphql-ws connection closed",
        );
      },
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws has already registered this operation, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          rejected.inc({ reason: "subscriptions_per_socket" });
          return [
            new GraphQLError(
              `at most ${limits.maxSubscriptionsPerSocket} operations may run at once on one socket`,
              { extensions: { code: ErrorCode.TooManySubscriptions } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          rejected.inc({ reason: "parse" });
          return asGraphQLErrors(error);
        }
        const errors = validate(schema, document);
        if (errors.length > 0) {
          rejected.inc({ reason: "validation" });
          return errors;
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
        };
        engines.set(args, { execute, subscribe });
        return args;
      },
    },
    wss,
  );

  return {
    close: async () => {
      server.off("upgrade", onUpgrade);
      const disposing = disposable.dispose();
      // A client that stopped reading never answers the close frame, and ws would wait 30 s for it.
      const grace = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, closeGraceMs);
      try {
        await disposing;
      } finally {
        clearTimeout(grace);
      }
    },
  };
}
