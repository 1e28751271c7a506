import { apiVersionOf, resourceTypeName, selectableFields } from "@meshsync/k8s";
import {
  type ClusterRef,
  type KubeObject,
  type ObjectMeta,
  type OwnerReference,
  type ResourceType,
  storableTextOf,
} from "../kube/index.js";
import type { Packable, PackedText } from "./body-packer.js";
import type { Interner } from "./interning.js";
import { redactSecretAnnotations, redactSecretBody } from "./redact.js";
import type { StoredResource } from "./types.js";

export interface CompactOptions {
  /** Keep Secret data and stringData as the API server sent them (off by default). */
  revealSecrets: boolean;
  /** Where what repeats across objects is shared; nothing shared when absent. */
  interner?: Interner;
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

/**
 * What a stored version holds besides its text and maps: the object, its parsed fields, its change
 * record. Measured as the heap one superseded version of a scenario pod keeps alive, minus its text.
 */
const versionOverheadBytes = 1536;

/** The characters a string map takes as JSON: a cheap upper bound of its size, without serializing it. */
export function mapTextLength(map: Readonly<Record<string, string>>): number {
  let length = 2;
  for (const key in map) length += key.length + (map[key]?.length ?? 0) + 6;
  return length;
}

/**
 * Where the metadata object of `rest` (always present, always an object) closes in JSON.stringify(rest):
 * the members before it are measured as JSON.stringify writes them, one comma apart.
 * -1 if it had none, which compactObject never lets happen.
 */
function metadataEndOf(rest: KubeObject): number {
  let offset = 1;
  for (const [key, value] of Object.entries(rest)) {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) continue;
    offset += JSON.stringify(key).length + 1;
    if (key === "metadata") return offset + json.length - 1;
    offset += json.length + 1;
  }
  return -1;
}

/** Per-type strings, made once, so a million objects of a type share one copy of each. */
interface TypeStrings {
  typeName: string;
  apiVersion: string;
  kind: string;
}

const typeStrings = new WeakMap<ResourceType, TypeStrings>();

function stringsOf(type: ResourceType): TypeStrings {
  let strings = typeStrings.get(type);
  if (strings === undefined) {
    strings = { typeName: resourceTypeName(type), apiVersion: apiVersionOf(type), kind: type.kind };
    typeStrings.set(type, strings);
  }
  return strings;
}

/**
 * What the graph holds for one object. The fields that queries filter and sort on are kept parsed;
 * everything else is kept as JSON text, which costs about a third of the parsed tree, and is parsed
 * again only when a client asks for the object, its spec or its status.
 */
class CompactResource implements StoredResource, Packable {
  /** The object without labels, annotations and ownerReferences, as text, or packed once cold. */
  private body: string | PackedText;
  /** Characters of that text, packed or not. */
  readonly textLength: number;

  constructor(
    readonly key: string,
    readonly clusterId: string,
    readonly uid: string,
    readonly apiVersion: string,
    readonly kind: string,
    readonly typeName: string,
    readonly namespace: string | null,
    readonly name: string,
    readonly resourceVersion: string,
    readonly labels: Readonly<Record<string, string>>,
    readonly annotations: Readonly<Record<string, string>>,
    readonly ownerReferences: readonly OwnerReference[],
    readonly fields: Readonly<Record<string, string>>,
    /** The object without labels, annotations and ownerReferences, which are held parsed above. */
    rest: string,
    /** Where in the text the metadata object closes, so that the maps can be spliced back in as text. */
    private readonly metadataEnd: number,
    readonly createdAtMs: number | undefined,
    readonly storedAtMs: number,
  ) {
    this.body = rest;
    this.textLength = rest.length;
  }

  get unpackedText(): string | undefined {
    return typeof this.body === "string" ? this.body : undefined;
  }

  /** The same text in less memory: what the object reads does not change, so neither does the object. */
  pack(packed: PackedText): void {
    this.body = packed;
  }

  private get rest(): string {
    return typeof this.body === "string" ? this.body : this.body.text;
  }

  get heapSize(): number {
    const body = typeof this.body === "string" ? this.body.length : this.body.heapSize;
    return body + mapTextLength(this.labels) + mapTextLength(this.annotations) + versionOverheadBytes;
  }

  /** JSON.stringify(object), spliced together from the stored text without parsing any of it. */
  get objectText(): string {
    const rest = this.rest;
    const maps: string[] = [];
    if (this.labels !== EMPTY_MAP) maps.push(`"labels":${JSON.stringify(this.labels)}`);
    if (this.annotations !== EMPTY_MAP) maps.push(`"annotations":${JSON.stringify(this.annotations)}`);
    if (this.ownerReferences !== EMPTY_OWNERS)
      maps.push(`"ownerReferences":${JSON.stringify(this.ownerReferences)}`);
    if (maps.length === 0) return rest;
    const end = this.metadataEnd;
    if (end < 0) return JSON.stringify(this.object);
    const separator = rest[end - 1] === "{" ? "" : ",";
    return `${rest.slice(0, end)}${separator}${maps.join(",")}${rest.slice(end)}`;
  }

  /** A fresh copy on every read: callers may change it without touching the graph. */
  get object(): KubeObject {
    const object = JSON.parse(this.rest) as KubeObject;
    const metadata: ObjectMeta = object.metadata ?? {};
    if (this.labels !== EMPTY_MAP) metadata.labels = { ...this.labels };
    if (this.annotations !== EMPTY_MAP) metadata.annotations = { ...this.annotations };
    if (this.ownerReferences !== EMPTY_OWNERS)
      metadata.ownerReferences = this.ownerReferences.map((o) => ({ ...o }));
    object.metadata = metadata;
    return object;
  }
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
): StoredResource & Packable {
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
  const strings = stringsOf(type);
  const { managedFields: _dropped, labels, annotations, ownerReferences, ...restMeta } = meta;
  const apiVersion =
    typeof input.apiVersion === "string" && input.apiVersion !== "" && input.apiVersion !== strings.apiVersion
      ? input.apiVersion
      : strings.apiVersion;
  const kind =
    typeof input.kind === "string" && input.kind !== "" && input.kind !== strings.kind
      ? input.kind
      : strings.kind;
  const redact = kind === "Secret" && !options.revealSecrets;
  // The decoder's text, when the object came with one and is stored as it came: no second writing.
  const decoded =
    redact || kind !== input.kind || apiVersion !== input.apiVersion ? undefined : storableTextOf(input);
  let text: string;
  let metadataEnd: number;
  let fieldSource: KubeObject = input;
  if (decoded !== undefined) {
    text = decoded.text;
    metadataEnd = decoded.metadataEnd;
  } else {
    const body: KubeObject = { ...input, apiVersion, kind, metadata: restMeta };
    const rest = redact ? redactSecretBody(body) : body;
    text = JSON.stringify(rest);
    metadataEnd = metadataEndOf(rest);
    fieldSource = rest;
  }
  const shared = options.interner;
  const rawNamespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : null;
  const namespace =
    rawNamespace === null || shared === undefined ? rawNamespace : shared.string(rawNamespace);
  const labelMap = stringMap(labels);
  const annotationMap = stringMap(redact ? redactSecretAnnotations(annotations) : annotations);
  const owners = Array.isArray(ownerReferences) ? (ownerReferences as OwnerReference[]) : EMPTY_OWNERS;
  return new CompactResource(
    `${cluster.id}/${uid}`,
    cluster.id,
    uid,
    apiVersion,
    kind,
    strings.typeName,
    namespace,
    name,
    typeof meta.resourceVersion === "string" ? meta.resourceVersion : "",
    shared === undefined || labelMap === EMPTY_MAP ? labelMap : shared.map(labelMap),
    // Annotations are shared only when short: long ones (last-applied configurations, checksums) are
    // mostly one object's own, and the key would cost as much as the copy.
    shared === undefined || annotationMap === EMPTY_MAP || mapTextLength(annotationMap) > 512
      ? annotationMap
      : shared.map(annotationMap),
    shared === undefined || owners.length === 0 ? owners : shared.ownerReferences(owners),
    selectableFields(type.group, kind).valuesOf(fieldSource),
    text,
    metadataEnd,
    timestampMs(meta.creationTimestamp),
    Date.now(),
  );
}

/** An RFC 3339 timestamp as a number, so that sorting by it parses nothing; undefined when it is not one. */
function timestampMs(value: unknown): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A timestamp as the API server writes one (metav1.Time: RFC 3339 in UTC, in whole seconds), and
 * with its fraction when it has one.
 */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? `${iso.slice(0, -5)}Z` : iso;
}
