// The request entry point: partitions and fault interception, the admin endpoint, health and
// version, discovery, and resource paths; every failure becomes a Status answer, so no request can
// crash the process.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type FaultController, parseFaults } from "../faults.js";
import { methodNotAllowed, pathNotFound, type StatusError } from "../store/status-error.js";
import {
  aggregatedContentType,
  aggregatedList,
  groupDocument,
  groupList,
  legacyVersions,
  resourceList,
  wantsAggregated,
} from "./discovery.js";
import { serveResource, type VerbContext } from "./objects.js";
import { openApiDocument, openApiRoot } from "./openapi.js";
import { readObjectBody, sendError, sendJson, sendText } from "./respond.js";
import { parseRoute } from "./route.js";
import { isTrue } from "./verb-support.js";

export interface HandlerContext extends VerbContext {
  faults: FaultController;
  /** Called with each request's outcome, for logging. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export const versionInfo = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2024-12-11T00:00:00Z",
  goVersion: "go1.23.3",
  compiler: "gc",
  platform: "linux/amd64",
};

const healthPaths = /^\/(healthz|livez|readyz)(\/.*)?$/;

export function createHandler(context: HandlerContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(context, req, res)
      .catch((error: unknown) => sendError(res, error))
      .catch(() => res.destroy())
      .finally(() => {
        try {
          context.onRequest?.(req.method ?? "GET", req.url ?? "/", res.statusCode);
        } catch {
          // A failing request logger must not take the server down.
        }
      });
  };
}

async function handle(context: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://simulator");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";

  if (path === "/sim/faults") return serveFaults(context, req, res);
  // A partitioned client hears nothing back, as if the network between us were gone.
  if (context.faults.isPartitioned(req.headers)) return;

  const isWatch = isTrue(url.searchParams.get("watch")) || /\/watch\//.test(path);
  const injected = context.faults.intercept(`${url.pathname}${url.search}`, isWatch);
  // A hung request is simply never answered; the socket goes when the client or the server ends it.
  if (injected?.kind === "hang") return;
  if (injected?.kind === "fail") return sendInjected(res, injected.error, isWatch);
  if (injected?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, injected.ms));

  if (path === "/version") return sendJson(res, 200, versionInfo);
  if (path === "/openapi/v3") return sendJson(res, 200, openApiRoot(context.store.registry));
  if (path.startsWith("/openapi/v3/")) {
    return sendJson(res, 200, openApiDocument(context.store.registry, path.slice("/openapi/v3/".length)));
  }
  const health = healthPaths.exec(path);
  if (health) return sendText(res, 200, healthText(health[1]!, url.searchParams.has("verbose")));

  const route = parseRoute(
    path,
    (group, version, resource) => context.store.registry.find(group, version, resource)?.namespaced === true,
  );
  if (!route) throw pathNotFound();
  if (route.kind !== "resource" && method !== "GET") throw methodNotAllowed();
  const registry = context.store.registry;
  switch (route.kind) {
    case "discovery-legacy":
    case "discovery-groups": {
      const legacy = route.kind === "discovery-legacy";
      const aggregated = wantsAggregated(req);
      if (aggregated) {
        const body = aggregatedList(registry, legacy, aggregated);
        return sendJson(res, 200, body, aggregatedContentType(aggregated));
      }
      return sendJson(res, 200, legacy ? legacyVersions(req.headers.host) : groupList(registry));
    }
    case "discovery-group":
      return sendJson(res, 200, groupDocument(registry, route.group));
    case "discovery-version":
      return sendJson(res, 200, resourceList(registry, route.group, route.version));
    case "resource": {
      const type = context.store.resolve(route.group, route.version, route.resource);
      return serveResource(
        context,
        req,
        res,
        {
          type,
          ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
          ...(route.name !== undefined ? { name: route.name } : {}),
          ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
          watchPath: route.watchPath,
        },
        url.searchParams,
      );
    }
  }
}

const healthChecks = ["ping", "log", "etcd", "informer-sync", "poststarthook/start-apiextensions-informers"];

/** "ok", or with ?verbose the per-check listing a real server gives. */
function healthText(endpoint: string, verbose: boolean): string {
  if (!verbose) return "ok";
  const lines = healthChecks.map((check) => `[+]${check} ok`);
  return `${lines.join("\n")}\n${endpoint} check passed\n`;
}

async function serveFaults(
  context: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method === "GET") return sendJson(res, 200, context.faults.describe());
  if (req.method === "DELETE")
    return sendJson(res, 200, { applied: [context.faults.apply({ action: "clear" })] });
  if (req.method !== "POST") throw methodNotAllowed();
  const faults = parseFaults(await readObjectBody(req));
  const results = faults.map((fault) => context.faults.apply(fault));
  sendJson(res, 200, { applied: results });
}

/** A 410 on a watch arrives as an ERROR event on a 200 stream, which is how the real server says it. */
function sendInjected(res: ServerResponse, error: StatusError, isWatch: boolean): void {
  if (isWatch && error.code === 410) {
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.end(`${JSON.stringify({ type: "ERROR", object: error.toStatus() })}\n`);
    return;
  }
  sendError(res, error);
}
