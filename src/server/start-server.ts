import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiContext, mesherySchema } from "../api/index.js";
import { Fanout } from "./fanout/index.js";
import { createGraphqlSse } from "./graphql-sse.js";
import type { HostPolicy } from "./host.js";
import { createHttpHandler } from "./http-routes.js";
import { createServerMetrics } from "./metrics.js";
import { defaultServerLimits, type ServerLimits, type ServerOptions } from "./options.js";
import { attachGraphqlWebSocket } from "./websocket.js";
import { createMeshsyncYoga, graphqlPath, mesheryGraphqlPath } from "./yoga.js";

export interface RunningServer {
  /** The GraphQL endpoint with the real port, e.g. http://127.0.0.1:4000/graphql (also the ws:// path). */
  readonly url: string;
  /** Meshery's GraphQL endpoint (HTTP, and ws:// on the same path), when it is served. */
  readonly mesheryUrl: string | undefined;
  /** Scheme, host and port, for /healthz, /readyz and /metrics. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

export class InsecureBindError extends Error {
  override name = "InsecureBindError";
}

const loopbackHosts = new Set(["127.0.0.1", "::1", "localhost"]);

function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || host.startsWith("127.");
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Serves the graph over GraphQL (HTTP, graphql-ws and graphql-sse on one path; Meshery's schema on its
 * own), with health, readiness and metrics.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { graph, logger, token } = options;
  if (token === undefined && !options.allowUnauthenticated && !isLoopback(options.host)) {
    throw new InsecureBindError(
      `refusing to serve ${options.host} without a token: set one, or allow unauthenticated access explicitly`,
    );
  }
  if (token !== undefined && token.trim() === "") throw new InsecureBindError("the token must not be empty");
  const limits: ServerLimits = { ...defaultServerLimits, ...options.limits };
  const hosts: HostPolicy = { allowedHosts: options.allowedHosts ?? [], tokenRequired: token !== undefined };
  const metrics = createServerMetrics(graph, options.registry);
  const context = createApiContext({
    graph,
    apiResources: options.apiResources,
    syncStatus: options.syncStatus,
    clusterHealth: options.clusterHealth,
    resync: options.resync,
    limits,
    subscriptionObserver: metrics.subscriptions,
    podLogs: options.podLogs,
    version: options.version,
    replica: options.replica,
  });
  const yogaOf = (schemaOptions: { schema?: typeof mesherySchema; endpoint?: string } = {}) =>
    createMeshsyncYoga({
      context,
      limits,
      logger,
      allowedOrigins: options.allowedOrigins,
      plugins: [metrics.plugin],
      ...schemaOptions,
    });
  const yoga = yogaOf();
  const fanout = new Fanout(limits, metrics.fanout, logger);
  const refused = (reason: string) => metrics.rejected.inc({ reason });
  const sseOf = (endpointYoga: typeof yoga) =>
    createGraphqlSse({
      yoga: endpointYoga,
      fanout,
      scope: token === undefined ? "open" : "token",
      limits,
      logger,
      refused,
      subscribed: metrics.subscribed,
      connections: () => fanout.connectionCount,
    });
  const sse = sseOf(yoga);
  // Meshery's schema shares the context, the limits and the fan-out: one budget for both endpoints.
  const mesheryYoga =
    options.meshery === false ? undefined : yogaOf({ schema: mesherySchema, endpoint: mesheryGraphqlPath });
  const meshery = mesheryYoga === undefined ? undefined : { yoga: mesheryYoga, sse: sseOf(mesheryYoga) };
  const server = createServer(
    createHttpHandler({
      yoga,
      sse,
      meshery,
      token,
      allowedOrigins: options.allowedOrigins,
      hosts,
      readiness: options.readiness,
      registry: metrics.registry,
      rejected: metrics.rejected,
      logger,
    }),
  );
  const webSocket = attachGraphqlWebSocket(server, {
    yoga,
    mesheryYoga,
    fanout,
    token,
    allowedOrigins: options.allowedOrigins,
    hosts,
    limits,
    logger,
    refused,
    subscribed: metrics.subscribed,
    connections: () => fanout.connectionCount,
  });
  metrics.observe(() => ({ ...fanout.stats(), unacknowledged: webSocket.unacknowledged }));
  // A socket that neither sends nor reads for this long is cut, its unsent bytes with it; ws turns
  // the timeout off on the sockets it upgrades, and event streams send a ping well within it.
  server.setTimeout(limits.idleSocketTimeoutMs, (socket) => {
    metrics.fanout.evicted("idle");
    logger.debug({ remote: socket.remoteAddress }, "idle HTTP socket cut");
    socket.destroy();
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    logger.debug({ err: error }, "malformed HTTP request");
    if (!socket.writable) return;
    const status =
      error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "http server error"));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${hostForUrl(options.host)}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${graphqlPath}`,
    mesheryUrl: meshery === undefined ? undefined : `${origin}${mesheryGraphqlPath}`,
    origin,
    port,
    close: () => {
      closing ??= (async () => {
        sse.close();
        meshery?.sse.close();
        await webSocket.close();
        fanout.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
