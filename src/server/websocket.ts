import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { handleProtocols } from "graphql-ws";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { CloseCode } from "../api/index.js";
import { credentialOfHeaders } from "./auth.js";
import type { Fanout } from "./fanout/index.js";
import { GraphqlWsSession } from "./graphql-ws-session.js";
import type { HostPolicy } from "./host.js";
import type { ServerLimits } from "./options.js";
import { originAllowed } from "./origin.js";
import { graphqlPath, type MeshsyncYoga, mesheryGraphqlPath } from "./yoga.js";

export interface GraphqlWebSocketOptions {
  yoga: MeshsyncYoga;
  /** The yoga of the schema older Meshery versions use, for sockets opened on their path. */
  mesheryYoga?: MeshsyncYoga | undefined;
  fanout: Fanout;
  token: string | undefined;
  allowedOrigins: readonly string[] | undefined;
  hosts: HostPolicy;
  limits: ServerLimits;
  logger: Logger;
  /** Counts a refusal by reason (metrics). */
  refused(reason: string): void;
  subscribed(outcome: "ok" | "error"): void;
  /** Connections of every transport that count against maxConnections. */
  connections(): number;
}

export interface GraphqlWebSocket {
  /** Sockets not acknowledged yet. */
  readonly unacknowledged: number;
  close(): Promise<void>;
}

/** How long clients get to answer the close frame at shutdown before their sockets are cut. */
const shutdownGraceMs = 1000;

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

/**
 * graphql-ws on the HTTP server's /graphql path (and Meshery's, with its schema): Origin and token checked on the upgrade (the token may
 * also come at connection_init), sockets that have not been acknowledged in a small pool of their own,
 * and each socket's protocol handled by a GraphqlWsSession over the shared fan-out.
 */
export function attachGraphqlWebSocket(server: Server, options: GraphqlWebSocketOptions): GraphqlWebSocket {
  const { token, allowedOrigins, limits, logger, refused } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxRequestBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => handleProtocols(protocols) || false,
  });
  const unacknowledged = new Set<GraphqlWsSession>();
  const sessions = new Set<GraphqlWsSession>();
  let upgrading = 0;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", (error) => logger.debug({ err: error }, "websocket upgrade socket error"));
    const path = pathOf(request);
    const yoga =
      path === graphqlPath ? options.yoga : path === mesheryGraphqlPath ? options.mesheryYoga : undefined;
    if (yoga === undefined) {
      refuseUpgrade(socket, 404);
      return;
    }
    if (!originAllowed(request, allowedOrigins, options.hosts)) {
      refused("origin");
      logger.info({ origin: request.headers.origin }, "websocket refused: origin not allowed");
      refuseUpgrade(socket, 403);
      return;
    }
    const credential = token === undefined ? "absent" : credentialOfHeaders(request.headers, token);
    if (credential === "invalid") {
      refused("unauthorized");
      refuseUpgrade(socket, 401);
      return;
    }
    if (options.connections() >= limits.maxConnections) {
      refused("connections");
      logger.warn({ limit: limits.maxConnections }, "websocket refused: too many open connections");
      refuseUpgrade(socket, 503);
      return;
    }
    if (unacknowledged.size + upgrading >= limits.maxUnauthenticatedConnections) {
      refused("unacknowledged");
      logger.warn(
        { limit: limits.maxUnauthenticatedConnections },
        "websocket refused: too many connections waiting for connection_init",
      );
      refuseUpgrade(socket, 503);
      return;
    }
    upgrading++;
    wss.handleUpgrade(request, socket, head, (ws) => {
      upgrading--;
      const session = new GraphqlWsSession(ws, socket as Socket, request, credential === "valid", {
        yoga,
        fanout: options.fanout,
        token,
        limits,
        logger,
        refused,
        subscribed: options.subscribed,
        admit: (candidate) => {
          unacknowledged.delete(candidate);
          return options.connections() < limits.maxConnections;
        },
        ended: (ended) => {
          unacknowledged.delete(ended);
          sessions.delete(ended);
        },
      });
      sessions.add(session);
      if (!session.acknowledged) unacknowledged.add(session);
    });
  };
  server.on("upgrade", onUpgrade);

  return {
    get unacknowledged() {
      return unacknowledged.size;
    },
    close: async () => {
      server.off("upgrade", onUpgrade);
      for (const session of sessions) session.close(CloseCode.GoingAway, "Going away");
      // A client that stopped reading never answers the close frame.
      const grace = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, shutdownGraceMs);
      try {
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await Promise.all(
          [...wss.clients].map(
            (client) => new Promise<void>((resolve) => client.once("close", () => resolve())),
          ),
        );
      } finally {
        clearTimeout(grace);
      }
    },
  };
}
