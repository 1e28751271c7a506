// The verbs on one resource type: get, list, watch, create, update, patch, delete and
// deletecollection, plus the status, scale and log subresources.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { selectorMatcher } from "../selectors.js";
import {
  findCrd,
  isPlainObject,
  type ListSnapshots,
  type ObjectStore,
  type WriteOptions,
} from "../store/index.js";
import { badRequest, methodNotAllowed, notFound, StatusError } from "../store/status-error.js";
import type { WatchHub, WatchRequest } from "../watch.js";
import { actionSubresources, runAction, streamingSubresources } from "./actions.js";
import { readListPage, writeList } from "./list.js";
import { serveLogs } from "./logs.js";
import { applyPatch, patchTypeOf } from "./patch.js";
import { readObjectBody, sendJson } from "./respond.js";
import { answerReview, isReviewType } from "./reviews.js";
import { fromScale, toScale } from "./scale.js";
import { columnsFor, type IncludeObject, table, tableContentType, tableRow, wantsTable } from "./table.js";
import { serveWatch } from "./watch-stream.js";

export interface VerbContext {
  store: ObjectStore;
  hub: WatchHub;
  snapshots: ListSnapshots;
  logFollowIntervalMs: number;
}

export interface ResourceTarget {
  type: SimResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

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

function isTrue(value: string | null): boolean {
  return value === "true" || value === "1";
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject");
  if (value === null || value === "") return "Metadata";
  if (value === "None" || value === "Metadata" || value === "Object") return value;
  throw badRequest(`unsupported includeObject value: ${value}`);
}

function matcherOf(type: SimResourceType, query: URLSearchParams) {
  return selectorMatcher(
    query.get("labelSelector") ?? undefined,
    query.get("fieldSelector") ?? undefined,
    type.group,
    type.kind,
  );
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw badRequest(`invalid value for ${name}: ${value}`);
  return parsed;
}

async function list(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const matcher = matcherOf(target.type, query);
  const page = readListPage(context.store, context.snapshots, target.type, {
    ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
    ...(matcher ? { matcher } : {}),
    ...optional("limit", intParam(query, "limit")),
    ...optional("continueToken", query.get("continue") ?? undefined),
    ...optional("resourceVersion", query.get("resourceVersion") ?? undefined),
    ...optional("resourceVersionMatch", query.get("resourceVersionMatch") ?? undefined),
  });
  await writeList(req, res, context.store, target.type, page, includeObjectOf(query));
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function startWatch(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const matcher = matcherOf(target.type, query);
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

function writeObject(
  req: IncomingMessage,
  res: ServerResponse,
  context: VerbContext,
  type: SimResourceType,
  status: number,
  obj: KubeObject,
  includeObject: IncludeObject = "Metadata",
) {
  if (wantsTable(req) && type.kind === obj.kind) {
    const columns = columnsFor(type, findCrd(context.store, type.group, type.name));
    const body = table(columns, [tableRow(obj, columns, includeObject, Date.now())], {
      resourceVersion: obj.metadata?.resourceVersion ?? "",
    });
    sendJson(res, status, body, tableContentType);
    return;
  }
  sendJson(res, status, obj);
}

function existing(context: VerbContext, target: ResourceTarget): KubeObject {
  const found = context.store.getStored(target.type, target.namespace, target.name!);
  if (!found) throw notFound({ group: target.type.group, resource: target.type.name }, target.name!);
  return found;
}

function get(
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

async function create(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const body = await readObjectBody(req);
  if (!isPlainObject(body)) throw badRequest("the body of the request must be a JSON object");
  if (isReviewType(target.type)) return sendJson(res, 201, answerReview(target.type, body as KubeObject));
  const created = context.store.createObject(
    target.type,
    target.namespace,
    body as KubeObject,
    writeOptionsOf(req),
  );
  writeObject(req, res, context, target.type, 201, created, includeObjectOf(query));
}

async function update(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
) {
  const body = await readObjectBody(req);
  if (!isPlainObject(body)) throw badRequest("the body of the request must be a JSON object");
  const { type, namespace, name, subresource } = target;
  if (subresource === "scale") {
    const next = fromScale(existing(context, target), body, type);
    return sendJson(
      res,
      200,
      toScale(context.store.updateObject(type, namespace, name!, next, writeOptionsOf(req))),
    );
  }
  const updated = context.store.updateObject(
    type,
    namespace,
    name!,
    body as KubeObject,
    writeOptionsOf(req, subresource),
  );
  writeObject(req, res, context, type, 200, updated);
}

/** The write options a request asks for: its subresource, and dryRun=All. */
function writeOptionsOf(req: IncomingMessage, subresource?: string): WriteOptions {
  const dryRun = new URL(req.url ?? "/", "http://simulator").searchParams.getAll("dryRun");
  if (dryRun.some((value) => value !== "All")) {
    throw new StatusError(
      400,
      "BadRequest",
      `dryRun: Unsupported value: "${dryRun.join(",")}": supported values: "All"`,
    );
  }
  const options: WriteOptions = {};
  if (subresource !== undefined) options.subresource = subresource;
  if (dryRun.length > 0) options.dryRun = true;
  return options;
}

async function patch(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
) {
  const patchType = patchTypeOf(req.headers["content-type"]);
  if (!patchType) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  const { type, namespace, name, subresource } = target;
  if (patchType === "strategic" && findCrd(context.store, type.group, type.name)) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      "strategic merge patch is not supported for custom resources",
    );
  }
  if (
    patchType === "apply" &&
    !new URL(req.url ?? "/", "http://simulator").searchParams.get("fieldManager")
  ) {
    throw new StatusError(
      422,
      "Invalid",
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  }
  const body = await readObjectBody(req);
  const current = context.store.getStored(type, namespace, name!);
  if (!current) {
    // Server-side apply creates what does not exist; every other patch needs an object.
    if (patchType === "apply" && isPlainObject(body) && subresource === undefined) {
      const created = context.store.createObject(
        type,
        namespace,
        {
          ...(body as KubeObject),
          metadata: { ...((body as KubeObject).metadata ?? {}), name: name! },
        },
        writeOptionsOf(req),
      );
      return writeObject(req, res, context, type, 201, created);
    }
    throw notFound({ group: type.group, resource: type.name }, name!);
  }
  if (subresource === "scale") {
    const patched = applyPatch(patchType, toScale(current), body);
    const next = fromScale(current, patched, type);
    return sendJson(
      res,
      200,
      toScale(context.store.updateObject(type, namespace, name!, next, writeOptionsOf(req))),
    );
  }
  const patched = applyPatch(patchType, structuredClone(current), body);
  if (!isPlainObject(patched)) throw badRequest("the patch did not result in an object");
  const next = patched as KubeObject;
  // Without a resourceVersion in the patch itself, a patch applies to whatever is current.
  const patchMeta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
  const nextMeta = isPlainObject(next.metadata) ? next.metadata : {};
  next.metadata = nextMeta;
  if (typeof patchMeta.resourceVersion !== "string")
    nextMeta.resourceVersion = current.metadata?.resourceVersion;
  const updated = context.store.updateObject(type, namespace, name!, next, writeOptionsOf(req, subresource));
  writeObject(req, res, context, type, 200, updated);
}

async function deleteOptions(req: IncomingMessage): Promise<Record<string, unknown>> {
  const hasBody =
    Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (!hasBody) return {};
  try {
    const body = await readObjectBody(req);
    return isPlainObject(body) ? body : {};
  } catch (error) {
    if (error instanceof StatusError && error.message.includes("empty")) return {};
    throw error;
  }
}

async function remove(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
) {
  const options = await deleteOptions(req);
  const preconditions = isPlainObject(options.preconditions) ? options.preconditions : {};
  const deleted = context.store.deleteObject(
    target.type,
    target.namespace,
    target.name!,
    {
      ...optional("uid", typeof preconditions.uid === "string" ? preconditions.uid : undefined),
      ...optional(
        "resourceVersion",
        typeof preconditions.resourceVersion === "string" ? preconditions.resourceVersion : undefined,
      ),
    },
    { ...writeOptionsOf(req), ...propagationOf(req, options) },
  );
  // An object held by finalizers is still there, marked for deletion: the answer is the object.
  const held = context.store.getStored(target.type, target.namespace, target.name!);
  sendJson(res, 200, held ? deleted : deleteAnswer(target.type, deleted));
}

/** DeleteOptions.propagationPolicy (body or query), or the old orphanDependents flag. */
function propagationOf(req: IncomingMessage, options: Record<string, unknown>): WriteOptions {
  const query = new URL(req.url ?? "/", "http://simulator").searchParams;
  const policy =
    typeof options.propagationPolicy === "string"
      ? options.propagationPolicy
      : query.get("propagationPolicy");
  const orphan = options.orphanDependents === true || query.get("orphanDependents") === "true";
  if (policy && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw new StatusError(
      422,
      "Invalid",
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (policy) return { propagationPolicy: policy };
  return orphan ? { propagationPolicy: "Orphan" } : {};
}

// The kinds whose storage answers a delete with the object itself; all others answer with a Status.
const returnsDeletedObject = new Set([
  "/pods",
  "/services",
  "/serviceaccounts",
  "/persistentvolumes",
  "/persistentvolumeclaims",
  "/namespaces",
  "apiextensions.k8s.io/customresourcedefinitions",
]);

function deleteAnswer(type: SimResourceType, deleted: KubeObject): unknown {
  if (returnsDeletedObject.has(`${type.group}/${type.name}`)) return deleted;
  const details: Record<string, unknown> = { name: deleted.metadata?.name ?? "" };
  if (type.group) details.group = type.group;
  details.kind = type.name;
  details.uid = deleted.metadata?.uid ?? "";
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

async function deleteCollection(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const body = await deleteOptions(req);
  const options = { ...writeOptionsOf(req), ...propagationOf(req, body) };
  const matcher = matcherOf(target.type, query);
  const { type, namespace } = target;
  const victims = context.store
    .listStored(type, type.namespaced ? namespace : undefined)
    .filter((obj) => !matcher || matcher(obj));
  const deleted: KubeObject[] = [];
  for (const obj of victims) {
    const name = obj.metadata?.name ?? "";
    // Deleting one victim may already have collected another that it owned.
    if (!context.store.getStored(type, obj.metadata?.namespace, name)) continue;
    deleted.push(context.store.deleteObject(type, obj.metadata?.namespace, name, {}, options));
  }
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  sendJson(res, 200, {
    kind: `${type.kind}List`,
    apiVersion,
    metadata: { resourceVersion: String(context.store.resourceVersion) },
    items: deleted,
  });
}

function logs(
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
    throw badRequest(`invalid sinceTime: ${sinceTime}`);
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
