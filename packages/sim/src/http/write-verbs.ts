// The writing verbs: create (reviews are answered, not stored), update and patch, with the status
// and scale subresources.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../object-api.js";
import { findCrd, isPlainObject } from "../store/index.js";
import { badRequest, notFound, StatusError } from "../store/status-error.js";
import { applyPatch, patchTypeOf } from "./patch.js";
import { readObjectBody, sendJson } from "./respond.js";
import { answerReview, isReviewType } from "./reviews.js";
import { fromScale, toScale } from "./scale.js";
import {
  existing,
  includeObjectOf,
  type ResourceTarget,
  type VerbContext,
  writeObject,
  writeOptionsOf,
} from "./verb-support.js";

export async function create(
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

export async function update(
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

export async function patch(
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
        writeOptionsOf(req, undefined, body as KubeObject),
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
  const applied = patchType === "apply" && isPlainObject(body) ? (body as KubeObject) : undefined;
  const updated = context.store.updateObject(
    type,
    namespace,
    name!,
    next,
    writeOptionsOf(req, subresource, applied),
  );
  writeObject(req, res, context, type, 200, updated);
}
