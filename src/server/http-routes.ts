import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import { ErrorCode } from "../api/index.js";
import { quoteExcerpt } from "../graph/index.js";
import { credentialOfHeaders } from "./auth.js";
import { serveGraphiql, wantsGraphiql } from "./graphiql/index.js";
import type { GraphqlSse } from "./graphql-sse.js";
import { type HostPolicy, hostAllowed } from "./host.js";
import type { Readiness } from "./options.js";
import { originAllowed } from "./origin.js";
import { sendReadiness } from "./readiness.js";
import { graphqlPath, type MeshsyncYoga, mesheryGraphqlPath } from "./yoga.js";

/** One GraphQL endpoint: its yoga (HTTP) and its graphql-sse. */
export interface GraphqlEndpoint {
  yoga: MeshsyncYoga;
  /** graphql-sse: event streams, reservations and their operations go there, past the same checks. */
  sse: GraphqlSse;
}

export interface HttpRoutesOptions extends GraphqlEndpoint {
  /** The schema older Meshery versions use, at their path; not served when absent. */
  meshery?: GraphqlEndpoint | undefined;
  token: string | undefined;
  allowedOrigins: readonly string[] | undefined;
  hosts: HostPolicy;
  readiness: () => Readiness;
  registry: Registry;
  rejected: Counter<"reason">;
  logger: Logger;
}

function sendText(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end(`${body}\n`);
}

/**
 * Requests that carry no data and that browsers send without credentials: the GraphiQL page (its
 * queries then carry the token) and CORS preflights. A browser's GET is answered with the page even
 * with `?query=` (GraphiQL keeps the query it shows there), never with a result.
 */
function needsNoToken(request: IncomingMessage): boolean {
  return request.method === "OPTIONS" || wantsGraphiql(request);
}

function unauthorized(response: ServerResponse): void {
  response.writeHead(401, {
    "content-type": "application/json; charset=utf-8",
    "www-authenticate": 'Bearer realm="meshsync"',
  });
  response.end(
    `${JSON.stringify({ errors: [{ message: "Unauthorized", extensions: { code: ErrorCode.Unauthenticated } }] })}\n`,
  );
}

/**
 * The content types a page on another site may POST without a CORS preflight (an HTML form, or
 * fetch in no-cors mode). GraphQL clients send application/json; refusing these means a cross-site
 * POST never runs, whatever the Origin check would have said.
 */
const crossSiteContentTypes = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

function mediaTypeOf(request: IncomingMessage): string {
  return (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

function readinessOf(readiness: () => Readiness): Readiness {
  try {
    return readiness();
  } catch (error) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The node:http handler: /graphql (yoga and GraphiQL, behind the token), Meshery's
 * /api/system/graphql/query behind the same checks, /healthz, /readyz, /metrics; / leads to /graphql.
 */
export function createHttpHandler(
  options: HttpRoutesOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { token, allowedOrigins, hosts, readiness, registry, rejected, logger } = options;
  const graphiql = { tokenRequired: token !== undefined, logger };

  /** Origin, content type and token, then graphql-sse, GraphiQL (on /graphql only) or yoga. */
  const serveGraphql = (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    endpoint: GraphqlEndpoint,
    withGraphiql: boolean,
  ) => {
    if (!originAllowed(request, allowedOrigins, hosts)) {
      rejected.inc({ reason: "origin" });
      return sendText(response, 403, "origin not allowed");
    }
    if (request.method === "POST" && crossSiteContentTypes.has(mediaTypeOf(request))) {
      rejected.inc({ reason: "content_type" });
      return sendText(
        response,
        415,
        `content type ${quoteExcerpt(mediaTypeOf(request))} is not accepted: send application/json`,
      );
    }
    const exempt = request.method === "OPTIONS" || (withGraphiql && needsNoToken(request));
    if (token !== undefined && !exempt) {
      if (credentialOfHeaders(request.headers, token) !== "valid") {
        rejected.inc({ reason: "unauthorized" });
        return unauthorized(response);
      }
    }
    if (endpoint.sse.handles(request, url)) return endpoint.sse.handle(request, response, url);
    if (withGraphiql && wantsGraphiql(request)) return serveGraphiql(request, response, graphiql);
    Promise.resolve(endpoint.yoga(request, response)).catch((error: unknown) => {
      // Yoga answers GraphQL errors itself; reaching here is a fault in the server, not in the request.
      logger.error({ err: error }, "graphql request failed");
      if (!response.headersSent) sendText(response, 500, "internal error");
      else response.destroy();
    });
  };

  return (request, response) => {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      return sendText(response, 400, "bad request target");
    }
    if (!hostAllowed(request, hosts)) {
      rejected.inc({ reason: "host" });
      return sendText(
        response,
        403,
        `host ${quoteExcerpt(request.headers.host ?? "")} is not allowed: list it with --allowed-host, or set a token`,
      );
    }
    switch (url.pathname) {
      case "/":
        // The address people open first leads to GraphiQL; relative, so that it still does behind a
        // proxy that serves meshsync under a path of its own.
        if (request.method !== "GET" && request.method !== "HEAD")
          return sendText(response, 404, "not found");
        return sendText(response, 302, `GraphiQL and GraphQL are at ${graphqlPath}`, {
          location: graphqlPath.slice(1),
        });
      case "/healthz":
        return sendText(response, 200, "ok");
      case "/readyz": {
        const detailed = token === undefined || credentialOfHeaders(request.headers, token) === "valid";
        return sendReadiness(response, readinessOf(readiness), detailed);
      }
      case "/metrics":
        // Prometheus sends the token from its scrape config (authorization: { credentials: … }).
        if (token !== undefined && credentialOfHeaders(request.headers, token) !== "valid") {
          rejected.inc({ reason: "unauthorized" });
          return unauthorized(response);
        }
        registry.metrics().then(
          (text) => {
            response.writeHead(200, { "content-type": registry.contentType });
            response.end(text);
          },
          (error: unknown) => {
            logger.error({ err: error }, "metrics collection failed");
            sendText(response, 500, "metrics collection failed");
          },
        );
        return;
      case graphqlPath:
        return serveGraphql(request, response, url, options, true);
      case mesheryGraphqlPath:
        if (options.meshery === undefined) return sendText(response, 404, "not found");
        return serveGraphql(request, response, url, options.meshery, false);
      default:
        return sendText(response, 404, "not found");
    }
  };
}
