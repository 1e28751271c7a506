// The reading verbs: list, watch, get (with the scale view) and pods/log.

import type { IncomingMessage, ServerResponse } from "node:http";
import { excerpt } from "@meshsync/k8s";
import { untilResourceVersion } from "../store/index.js";
import { badRequest, methodNotAllowed, StatusError } from "../store/status-error.js";
import type { WatchRequest } from "../watch.js";
import { cacheWaitTarget, type ListQuery, readListPage, writeList } from "./list.js";
import { serveLogs } from "./logs.js";
import { sendJson } from "./respond.js";
import { toScale } from "./scale.js";
import {
  existing,
  includeObjectOf,
  intParam,
  isTrue,
  matcherOf,
  optional,
  type ResourceTarget,
  type VerbContext,
  writeObject,
} from "./verb-support.js";
import { serveWatch } from "./watch-stream.js";

export async function list(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const matcher = matcherOf(context.store, target.type, query);
  const listQuery: ListQuery = {
    ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
    ...(matcher ? { matcher } : {}),
    ...optional("limit", intParam(query, "limit")),
    ...optional("continueToken", query.get("continue") ?? undefined),
    ...optional("resourceVersion", query.get("resourceVersion") ?? undefined),
    ...optional("resourceVersionMatch", query.get("resourceVersionMatch") ?? undefined),
  };
  const waitFor = cacheWaitTarget(listQuery);
  if (waitFor !== undefined && waitFor > context.store.resourceVersion) {
    await untilResourceVersion(
      () => context.store.resourceVersion,
      waitFor,
      () => req.destroyed,
    );
  }
  const page = readListPage(context.store, context.snapshots, target.type, listQuery);
  await writeList(req, res, context.store, target.type, page, includeObjectOf(query));
}

export function startWatch(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const matcher = matcherOf(context.store, target.type, query);
  const sendInitialEvents = isTrue(query.get("sendInitialEvents"));
  const allowBookmarks = isTrue(query.get("allowWatchBookmarks"));
  if (sendInitialEvents && !allowBookmarks) {
    throw new StatusError(
      422,
      "Invalid",
      "allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true",
    );
  }
  const match = query.get("resourceVersionMatch") ?? "";
  if (match && !sendInitialEvents) {
    throw new StatusError(
      422,
      "Invalid",
      "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
    );
  }
  if (sendInitialEvents && match !== "NotOlderThan") {
    throw new StatusError(
      422,
      "Invalid",
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "NotOlderThan"`,
    );
  }
  const timeoutSeconds = intParam(query, "timeoutSeconds");
  const request: WatchRequest = {
    type: target.type,
    ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
    ...(matcher ? { matcher } : {}),
    ...optional("resourceVersion", query.get("resourceVersion") ?? undefined),
    allowBookmarks,
    sendInitialEvents,
    ...(timeoutSeconds !== undefined && timeoutSeconds > 0 ? { timeoutSeconds } : {}),
  };
  serveWatch(req, res, context.hub, context.store, request, includeObjectOf(query));
}

export function get(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const obj = existing(context, target);
  if (target.subresource === "scale") return sendJson(res, 200, toScale(obj));
  writeObject(req, res, context, target.type, 200, obj, includeObjectOf(query));
}

export function logs(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  if (req.method !== "GET") throw methodNotAllowed();
  const pod = existing(context, target);
  const tailLines = intParam(query, "tailLines");
  const limitBytes = intParam(query, "limitBytes");
  const sinceSeconds = intParam(query, "sinceSeconds");
  const sinceTime = query.get("sinceTime");
  if (sinceSeconds !== undefined && sinceTime)
    throw badRequest("at most one of sinceTime or sinceSeconds may be specified");
  const sinceTimeMs = sinceTime ? Date.parse(sinceTime) : undefined;
  if (sinceTimeMs !== undefined && Number.isNaN(sinceTimeMs))
    throw badRequest(`invalid sinceTime: ${excerpt(sinceTime ?? "")}`);
  const since = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTimeMs;
  serveLogs(req, res, pod, {
    ...optional("container", query.get("container") ?? undefined),
    ...optional("since", since),
    previous: isTrue(query.get("previous")),
    follow: isTrue(query.get("follow")),
    timestamps: isTrue(query.get("timestamps")),
    ...optional("tailLines", tailLines),
    ...optional("limitBytes", limitBytes),
    followIntervalMs: context.logFollowIntervalMs,
    podExists: () =>
      context.store.getStored(target.type, target.namespace, target.name!)?.metadata?.uid ===
      pod.metadata?.uid,
  });
}
