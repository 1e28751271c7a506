// One replication message: a committed change of one object, as JSON. Written from the stored text
// without parsing it; read back with every field checked, so that a bad message is named and counted
// instead of reaching the graph.
import type { ChangeType, ClusterRef, StoredResource } from "../../graph/index.js";
import type { KubeObject, ResourceType } from "../../kube/index.js";

export const wireVersion = 1;

/** A replication message as a follower reads it. */
export interface ReplicatedChange {
  /** The change stream sequence it was published as, which is the publisher's change-log sequence. */
  readonly sequence: number;
  readonly type: ChangeType;
  readonly cluster: ClusterRef;
  readonly resourceType: ResourceType;
  /** The object as the publisher's graph stores it (managedFields dropped, Secrets as it keeps them). */
  readonly object: KubeObject;
  /** When the publisher committed it, in epoch milliseconds. */
  readonly time: number;
  /** Set when the object was larger than a message may be and only its identity was sent. */
  readonly truncated: boolean;
}

export type DecodeResult =
  | { readonly ok: true; readonly change: ReplicatedChange }
  | { readonly ok: false; readonly reason: string };

/** The JSON of a resource type's fields a message carries, made once per type. */
export function resourceTypeJson(type: ResourceType): string {
  const { group, version, resource, kind, namespaced, verbs } = type;
  return JSON.stringify({ group, version, resource, kind, namespaced, verbs });
}

/** What is left of an object too large for a message: enough for a follower to key and name it. */
function identityOf(resource: StoredResource): string {
  const metadata: Record<string, string> = { name: resource.name, uid: resource.uid };
  if (resource.namespace !== null) metadata.namespace = resource.namespace;
  if (resource.resourceVersion !== "") metadata.resourceVersion = resource.resourceVersion;
  return JSON.stringify({ apiVersion: resource.apiVersion, kind: resource.kind, metadata });
}

const encoder = new TextEncoder();

function render(
  sequence: number,
  type: ChangeType,
  clusterJson: string,
  typeJson: string,
  objectJson: string,
  time: number,
  truncated: boolean,
): Uint8Array {
  const tail = truncated ? `,"truncated":true}` : "}";
  return encoder.encode(
    `{"v":${wireVersion},"sequence":${sequence},"type":"${type}","cluster":${clusterJson},"resourceType":${typeJson},"object":${objectJson},"time":${time}${tail}`,
  );
}

/**
 * The message of one change. An object whose message would pass `maxBytes` goes out with its identity
 * only (`truncated`), so that every replica still counts the change and holds the object.
 */
export function encodeChange(
  sequence: number,
  type: ChangeType,
  clusterJson: string,
  typeJson: string,
  resource: StoredResource,
  time: number,
  maxBytes: number,
): { data: Uint8Array; truncated: boolean } {
  const data = render(sequence, type, clusterJson, typeJson, resource.objectText, time, false);
  if (data.length <= maxBytes) return { data, truncated: false };
  return {
    data: render(sequence, type, clusterJson, typeJson, identityOf(resource), time, true),
    truncated: true,
  };
}

const changeTypes: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED"]);
const maxIdentityLength = 1024;
const maxVerbs = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shortString(value: unknown, allowEmpty: boolean): value is string {
  return typeof value === "string" && value.length <= maxIdentityLength && (allowEmpty || value.length > 0);
}

function readResourceType(value: unknown): ResourceType | string {
  if (!isRecord(value)) return "resourceType is not an object";
  const { group, version, resource, kind, namespaced, verbs } = value;
  if (!shortString(group, true)) return "resourceType.group is not a string";
  if (!shortString(version, false) || !shortString(resource, false) || !shortString(kind, false))
    return "resourceType lacks its version, resource or kind";
  if (typeof namespaced !== "boolean") return "resourceType.namespaced is not a boolean";
  if (!Array.isArray(verbs) || verbs.length > maxVerbs || !verbs.every((verb) => shortString(verb, false)))
    return "resourceType.verbs is not a list of verbs";
  return { group, version, resource, kind, namespaced, verbs: verbs as string[] };
}

/** Reads one message; never throws. */
export function decodeChange(data: Uint8Array, maxBytes: number): DecodeResult {
  if (data.length > maxBytes)
    return { ok: false, reason: `message of ${data.length} bytes is over the ${maxBytes}-byte bound` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return { ok: false, reason: "message is not JSON" };
  }
  if (!isRecord(parsed)) return { ok: false, reason: "message is not a JSON object" };
  const { v, sequence, type, cluster, resourceType, object, time, truncated } = parsed;
  if (v !== wireVersion)
    return { ok: false, reason: `message version ${JSON.stringify(v)?.slice(0, 20)} is not ${wireVersion}` };
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1)
    return { ok: false, reason: "message sequence is not a positive whole number" };
  if (typeof type !== "string" || !changeTypes.has(type))
    return { ok: false, reason: "message type is not ADDED, MODIFIED or DELETED" };
  if (!isRecord(cluster) || !shortString(cluster.id, false) || !shortString(cluster.name, true))
    return { ok: false, reason: "message cluster lacks its id or name" };
  const readType = readResourceType(resourceType);
  if (typeof readType === "string") return { ok: false, reason: `message ${readType}` };
  if (!isRecord(object) || !isRecord(object.metadata))
    return { ok: false, reason: "message object has no metadata" };
  if (typeof time !== "number" || !Number.isFinite(time))
    return { ok: false, reason: "message time is not a number" };
  if (truncated !== undefined && typeof truncated !== "boolean")
    return { ok: false, reason: "message truncated is not a boolean" };
  return {
    ok: true,
    change: {
      sequence,
      type: type as ChangeType,
      cluster: { id: cluster.id, name: cluster.name },
      resourceType: readType,
      object: object as KubeObject,
      time,
      truncated: truncated === true,
    },
  };
}
