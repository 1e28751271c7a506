// The real server's rules for a write, kind by kind: which namespace an object lands in, whether
// its kind matches the path, what a status write may change, when generation moves, which
// finalizers hold a deletion, and a new namespace's defaults.
import type { SimResourceType } from "../catalog.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, sameJson } from "./object-meta.js";
import { badRequest } from "./status-error.js";

export function namespaceFor(
  type: SimResourceType,
  fromPath: string | undefined,
  fromBody: unknown,
): string | undefined {
  if (!type.namespaced) return undefined;
  if (fromBody !== undefined && fromBody !== "" && typeof fromBody !== "string") {
    throw badRequest("metadata.namespace must be a string");
  }
  const body = typeof fromBody === "string" && fromBody !== "" ? fromBody : undefined;
  if (fromPath && body && fromPath !== body) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const namespace = fromPath || body;
  if (!namespace) throw badRequest("an empty namespace may not be set during creation");
  return namespace;
}

export function checkKind(type: SimResourceType, obj: KubeObject): void {
  if (obj.kind !== undefined && obj.kind !== "" && obj.kind !== type.kind) {
    throw badRequest(
      `the kind of the object (${String(obj.kind)}) does not match the resource (${type.kind})`,
    );
  }
  const apiVersion = obj.apiVersion;
  if (apiVersion !== undefined && apiVersion !== "") {
    const group = typeof apiVersion === "string" && apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    if (group !== type.group) {
      throw badRequest(
        `the API version in the data (${String(apiVersion)}) does not match the expected API version`,
      );
    }
  }
}

export function mergeForSubresource(
  type: SimResourceType,
  previous: KubeObject,
  incoming: KubeObject,
  subresource: string | undefined,
): KubeObject {
  const hasStatus = type.subresources?.includes("status") ?? false;
  if (subresource === "status") {
    // A status write changes the status and nothing else.
    const next: KubeObject = {
      ...structuredClone(previous),
      metadata: { ...structuredClone(previous.metadata!) },
    };
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
    return next;
  }
  if (!hasStatus) return incoming;
  const next: KubeObject = { ...incoming };
  if (previous.status === undefined) delete next.status;
  else next.status = previous.status;
  return next;
}

// Finalizers the simulated cluster's own controllers (PVC protection, foreground deletion, job
// tracking and the like) would clear at once; anything else waits for its owner to remove it.
const systemFinalizer =
  /(^|\.|\/)kubernetes\.io\/|^(foregroundDeletion|orphan|customresourcecleanup\.apiextensions\.k8s\.io)$/;

export function pendingFinalizers(obj: KubeObject): string[] {
  const finalizers = obj.metadata?.finalizers;
  if (!Array.isArray(finalizers)) return [];
  return finalizers.filter((finalizer) => typeof finalizer === "string" && !systemFinalizer.test(finalizer));
}

export function tracksGeneration(type: SimResourceType): boolean {
  return (
    (type.subresources?.includes("status") ?? false) && !(type.group === "" && type.name === "namespaces")
  );
}

export function specChanged(previous: KubeObject, next: KubeObject): boolean {
  const { metadata: _a, status: _b, ...before } = previous;
  const { metadata: _c, status: _d, ...after } = next;
  return !sameJson(before, after);
}

export function fillNamespaceDefaults(obj: KubeObject, name: string): void {
  const meta = obj.metadata!;
  meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": name };
  if (!isPlainObject(obj.spec)) obj.spec = { finalizers: ["kubernetes"] };
  if (!isPlainObject(obj.status)) obj.status = { phase: "Active" };
}
