// The deleting verbs: delete (with preconditions and propagation) and deletecollection, answered
// with the object or a Success Status as the real server's storage for each kind does.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, type WriteOptions } from "../store/index.js";
import { StatusError } from "../store/status-error.js";
import { readObjectBody, sendJson } from "./respond.js";
import {
  isTrue,
  matcherOf,
  optional,
  type ResourceTarget,
  type VerbContext,
  writeOptionsOf,
} from "./verb-support.js";

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

export async function remove(
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
  const orphan = options.orphanDependents === true || isTrue(query.get("orphanDependents"));
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

export async function deleteCollection(
  context: VerbContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ResourceTarget,
  query: URLSearchParams,
) {
  const body = await deleteOptions(req);
  const options = { ...writeOptionsOf(req), ...propagationOf(req, body) };
  const matcher = matcherOf(context.store, target.type, query);
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
