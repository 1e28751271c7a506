// The verbs on one resource type: get, list, watch, create, update, patch, delete and
// deletecollection, plus the subresources, dispatched by method and path.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimResourceType } from "../catalog.js";
import { methodNotAllowed, StatusError } from "../store/status-error.js";
import { actionSubresources, runAction, streamingSubresources } from "./actions.js";
import { deleteCollection, remove } from "./delete-verbs.js";
import { refuseExecWithoutUpgrade } from "./exec.js";
import { get, list, logs, startWatch } from "./read-verbs.js";
import { readObjectBody, sendJson } from "./respond.js";
import { isTrue, type ResourceTarget, type VerbContext } from "./verb-support.js";
import { create, patch, update } from "./write-verbs.js";

export type { ResourceTarget, VerbContext } from "./verb-support.js";

export async function serveResource(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
): Promise<void> {
  const { type, name, subresource } = target;
  const method = req.method ?? "GET";
  if (subresource !== undefined && !(type.subresources ?? []).includes(subresource)) {
    throw new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  }
  if (name === undefined) {
    if (method === "GET") {
      const watching = target.watchPath || isTrue(query.get("watch"));
      requireVerb(type, watching ? "watch" : "list");
      return watching ? startWatch(context, req, res, target, query) : list(context, req, res, target, query);
    }
    if (method === "POST") {
      requireVerb(type, "create");
      return create(context, req, res, target, query);
    }
    if (method === "DELETE") {
      requireVerb(type, "deletecollection");
      return deleteCollection(context, req, res, target, query);
    }
    throw methodNotAllowed();
  }
  if (target.watchPath) {
    requireVerb(type, "watch");
    const fieldSelector = [`metadata.name=${name}`, query.get("fieldSelector") ?? ""]
      .filter(Boolean)
      .join(",");
    query.set("fieldSelector", fieldSelector);
    return startWatch(context, req, res, target, query);
  }
  if (subresource === "log") return logs(context, req, res, target, query);
  // The WebSocket itself arrives as an upgrade (exec.ts); a plain request gets the server's 400.
  if (subresource === "exec") refuseExecWithoutUpgrade(context.store, type, target.namespace, name, query);
  if (subresource !== undefined && actionSubresources.has(subresource)) {
    const body =
      req.method === "POST" && !streamingSubresources.has(subresource)
        ? await readObjectBody(req)
        : undefined;
    const result = runAction(context.store, type, target.namespace, name, subresource, method, body);
    return sendJson(res, result.status, result.body);
  }
  switch (method) {
    case "GET":
      requireVerb(type, "get");
      return get(context, req, res, target, query);
    case "PUT":
      requireVerb(type, "update");
      return update(context, req, res, target);
    case "PATCH":
      requireVerb(type, "patch");
      return patch(context, req, res, target);
    case "DELETE":
      requireVerb(type, "delete");
      return remove(context, req, res, target);
    default:
      throw methodNotAllowed();
  }
}

function requireVerb(type: SimResourceType, verb: string): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed();
}
