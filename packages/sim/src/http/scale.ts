// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas.
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";
import { badRequest } from "../store/status-error.js";

export function toScale(obj: KubeObject): KubeObject {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  const meta = obj.metadata ?? {};
  const selector = isPlainObject(spec.selector) ? spec.selector : {};
  const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : selector;
  const selectorText = Object.entries(matchLabels)
    .filter(([, value]) => typeof value === "string")
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(",");
  const scaleMeta: Record<string, unknown> = {
    name: meta.name,
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    creationTimestamp: meta.creationTimestamp,
  };
  if (meta.namespace) scaleMeta.namespace = meta.namespace;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: scaleMeta,
    spec: { replicas: typeof spec.replicas === "number" ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === "number" ? status.replicas : 0, selector: selectorText },
  };
}

/** The parent object with the replicas a new Scale asks for (a stale resourceVersion still conflicts). */
export function fromScale(parent: KubeObject, scale: unknown, type: SimResourceType): KubeObject {
  if (!isPlainObject(scale) || !isPlainObject(scale.spec)) throw badRequest("a Scale needs a spec");
  const replicas = scale.spec.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(`spec.replicas must be a non-negative integer for ${type.kind}`);
  }
  const next = structuredClone(parent);
  next.spec = { ...(isPlainObject(next.spec) ? next.spec : {}), replicas };
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  if (typeof meta.resourceVersion === "string" && next.metadata)
    next.metadata.resourceVersion = meta.resourceVersion;
  return next;
}
