import type { ClusterRef, KubeObject, ObjectMeta, OwnerReference, ResourceType } from "../kube/types.js";
import { apiVersionOf, resourceTypeName } from "../kube/types.js";
import type { StoredResource } from "./types.js";

export interface CompactOptions {
  /** Keep Secret data and stringData as the API server sent them (off by default). */
  revealSecrets: boolean;
}

export class InvalidObjectError extends Error {
  override name = "InvalidObjectError";
}

const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_OWNERS: readonly OwnerReference[] = Object.freeze([]);

/** The object's own map when it is well formed (the usual case, so nothing is copied). */
function stringMap(value: unknown): Readonly<Record<string, string>> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return EMPTY_MAP;
  const values = Object.values(value);
  if (values.length === 0) return EMPTY_MAP;
  if (values.every((v) => typeof v === "string")) return value as Record<string, string>;
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

function redactedValues(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).map((k) => [k, ""]));
}

/**
 * Turns a wire object into the form the graph keeps: managedFields dropped (they are most of an
 * object's bytes and no query needs them), Secret values blanked unless the operator opted in, and
 * the fields queries filter on lifted out once. Throws InvalidObjectError for an object the graph
 * cannot key.
 */
export function compactObject(
  cluster: ClusterRef,
  type: ResourceType,
  input: KubeObject,
  options: CompactOptions,
): StoredResource {
  const meta = input.metadata;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    throw new InvalidObjectError(`${resourceTypeName(type)} object without metadata`);
  }
  const { uid, name } = meta;
  if (typeof uid !== "string" || uid === "") {
    throw new InvalidObjectError(`${resourceTypeName(type)} ${String(name)} has no metadata.uid`);
  }
  if (typeof name !== "string" || name === "") {
    throw new InvalidObjectError(`${resourceTypeName(type)} ${uid} has no metadata.name`);
  }
  const { managedFields: _dropped, ...keptMeta } = meta;
  const metadata: ObjectMeta = keptMeta;
  const apiVersion =
    typeof input.apiVersion === "string" && input.apiVersion !== "" ? input.apiVersion : apiVersionOf(type);
  const kind = typeof input.kind === "string" && input.kind !== "" ? input.kind : type.kind;
  const object: KubeObject = { ...input, apiVersion, kind, metadata };
  if (kind === "Secret" && !options.revealSecrets) {
    if ("data" in object) object.data = redactedValues(object.data);
    if ("stringData" in object) object.stringData = redactedValues(object.stringData);
  }
  const namespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : null;
  return {
    key: `${cluster.id}/${uid}`,
    clusterId: cluster.id,
    uid,
    apiVersion,
    kind,
    typeName: resourceTypeName(type),
    namespace,
    name,
    resourceVersion: typeof meta.resourceVersion === "string" ? meta.resourceVersion : "",
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    ownerReferences: Array.isArray(meta.ownerReferences) ? meta.ownerReferences : EMPTY_OWNERS,
    object,
  };
}
