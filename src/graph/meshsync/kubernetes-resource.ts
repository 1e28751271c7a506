// The object as Go MeshSync publishes it: model.KubernetesResource, what Meshery Server decodes from
// every event on meshery.meshsync.core, every informer-store reply and every snapshot file document.
//
// Followed (meshery/meshsync, go 1.26.4, meshkit v1.0.22, buger/jsonparser v1.2.0):
// - pkg/model/model.go: the structs and their JSON tags, hence which keys are omitted when empty:
//     KubernetesResource     id, apiVersion, kind, model, metadata, spec,omitempty, status,omitempty,
//                            cluster_id, pattern_resource (*uuid.UUID: null when unset),
//                            component_metadata (map: null when unset), immutable/data/binaryData/
//                            stringData/type (all string,omitempty)
//     KubernetesResourceObjectMeta  id, name/generateName/namespace/selfLink ,omitempty, uid,
//                            resourceVersion ,omitempty, generation (int64,omitempty),
//                            creationTimestamp/deletionTimestamp ,omitempty, deletionGracePeriodSeconds
//                            (*int64,omitempty: 0 is written), labels/annotations ([]KV,omitempty),
//                            ownerReferences/finalizers/clusterName/managedFields ,omitempty, cluster_id
//     KubernetesKeyValue     id, unique_id, kind, key,omitempty, value,omitempty
//     KubernetesResourceSpec / KubernetesResourceStatus  id, attribute,omitempty
// - pkg/model/model_converter.go (ParseList): json.Unmarshal of the object into that struct (keys
//   matched case-insensitively, values of another type left unset), then jsonparser for labels and
//   annotations (one entry per key, in the key order Go's encoder writes: sorted), finalizers,
//   ownerReferences, spec, status, immutable, data, binaryData, stringData and type (each the JSON
//   text of the value, a string's without its quotes), cluster_id set, the Service processor run.
//   The ids stay empty: only gorm's hooks (SetID) fill them, when Meshery Server stores the row, so
//   metadata.cluster_id, every id and every unique_id are "" on the wire.
// - pkg/model/process.go: component_metadata for kind Service, except on DELETED (service-urls.ts).
//
// Where this departs from Go, on purpose:
// - pattern_resource: Go passes the label's text to uuid.FromBytes, which takes 16 raw bytes, so a
//   label holding a UUID gives the nil UUID. Here a label that parses as a UUID gives that UUID
//   (what the label means); any other value gives what Go gives (its 16 bytes, else the nil UUID).
// - Label and annotation values, and string values cut out with jsonparser (type, for one): Go
//   keeps the JSON escapes (an annotation holding JSON arrives with \" in it); here they are the
//   values themselves.
// - spec or status null: Go dereferences a nil pointer and panics; here the key is left out.
// - The JSON text inside spec, status, data and the like is the stored object's (JSON.stringify's
//   member order and escapes), equal as JSON to what Go writes, not byte for byte.
// - Top-level object members named like pattern_resource or component_metadata, which Go would
//   decode into those fields, are ignored: no Kubernetes kind has them.

import type { ChangeType, StoredResource } from "../types.js";
import { type JsonMember, jsonKindAt, jsonStringAt, objectMembers } from "./json-members.js";
import { type ServiceComponentMetadata, serviceComponentMetadata } from "./service-urls.js";

export type { ServiceComponentMetadata } from "./service-urls.js";

export interface KubernetesKeyValue {
  id: string;
  unique_id: string;
  kind: "label" | "annotation";
  key?: string;
  value?: string;
}

export interface KubernetesResourceObjectMeta {
  id: string;
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: KubernetesKeyValue[];
  annotations?: KubernetesKeyValue[];
  /** The JSON text of metadata.ownerReferences. */
  ownerReferences?: string;
  /** The JSON text of metadata.finalizers. */
  finalizers?: string;
  clusterName?: string;
  /** Never filled (Go stopped sending managedFields); kept so the type names every key Go has. */
  managedFields?: string;
  cluster_id: string;
}

/** `spec` or `status`: the JSON text of the object's own. */
export interface KubernetesResourceAttribute {
  id: string;
  attribute?: string;
}

/** meshsync pkg/model KubernetesResource, as encoding/json writes it. */
export interface KubernetesResource {
  id: string;
  apiVersion: string;
  kind: string;
  model: string;
  metadata: KubernetesResourceObjectMeta;
  spec?: KubernetesResourceAttribute;
  status?: KubernetesResourceAttribute;
  cluster_id: string;
  /** A UUID, from the label design.meshery.io/id; null without it. */
  pattern_resource: string | null;
  /** Set for Services only. */
  component_metadata: ServiceComponentMetadata | null;
  /** The JSON text of .immutable ("true" or "false"). */
  immutable?: string;
  /** The JSON text of .data. */
  data?: string;
  /** The JSON text of .binaryData. */
  binaryData?: string;
  /** The JSON text of .stringData. */
  stringData?: string;
  /** .type (a Secret's, an Event's). */
  type?: string;
}

export interface KubernetesResourceOptions {
  /** The event the object is published for: Go gives a deleted Service no component_metadata. */
  event?: ChangeType;
}

/** meshkit orchestration.ResourceSourceDesignIdLabelKey: the design a resource was deployed from. */
export const designIdLabel = "design.meshery.io/id";

const nilUuid = "00000000-0000-0000-0000-000000000000";

/**
 * The lower-case form of what encoding/json matches a key to a field by (bytes.EqualFold): for
 * ASCII field names the only other letters that fold onto them are the Kelvin sign and long s.
 */
function folded(key: string): string {
  return key.length > 40 ? "" : key.toLowerCase().replaceAll("\u017f", "s");
}

/** A string member's value, as json.Unmarshal sets a string field; undefined for another type. */
function stringAt(text: string, member: JsonMember): string | undefined {
  return jsonKindAt(text, member.start) === "string"
    ? jsonStringAt(text, member.start, member.end)
    : undefined;
}

/** What jsonparser.Get gives for a value: a string's content, any other value's JSON text. */
function rawAt(text: string, member: JsonMember): string {
  return jsonKindAt(text, member.start) === "string"
    ? jsonStringAt(text, member.start, member.end)
    : text.slice(member.start, member.end);
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** json.Unmarshal into an int64: an integer literal in range, else undefined. */
function int64At(text: string, member: JsonMember): number | undefined {
  const literal = text.slice(member.start, member.end);
  if (!/^-?(0|[1-9][0-9]*)$/.test(literal)) return undefined;
  if (literal.length > 15) {
    const big = BigInt(literal);
    if (big < int64Min || big > int64Max) return undefined;
  }
  return Number(literal);
}

/** The first member with exactly this key, as jsonparser finds it. */
function exactMember(members: readonly JsonMember[], key: string): JsonMember | undefined {
  for (const member of members) if (member.key === key) return member;
  return undefined;
}

const hex = /^[0-9a-fA-F]+$/;

/** google/uuid Parse: the 36-character form, braced, as a URN, or 32 bare hex digits. */
function parseUuid(text: string): string | undefined {
  let s = text;
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === "urn:uuid:") s = s.slice(9);
  else if (s.length === 38 && s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  let digits: string;
  if (s.length === 36) {
    if (s[8] !== "-" || s[13] !== "-" || s[18] !== "-" || s[23] !== "-") return undefined;
    digits = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  } else if (s.length === 32) {
    digits = s;
  } else {
    return undefined;
  }
  if (!hex.test(digits)) return undefined;
  const d = digits.toLowerCase();
  return `${d.slice(0, 8)}-${d.slice(8, 12)}-${d.slice(12, 16)}-${d.slice(16, 20)}-${d.slice(20)}`;
}

function uuidOfBytes(bytes: Buffer): string {
  const d = bytes.toString("hex");
  return `${d.slice(0, 8)}-${d.slice(8, 12)}-${d.slice(12, 16)}-${d.slice(16, 20)}-${d.slice(20)}`;
}

/** pattern_resource for a design.meshery.io/id label value (see the departures above). */
export function patternResourceOf(labelValue: string): string {
  const parsed = parseUuid(labelValue);
  if (parsed !== undefined) return parsed;
  const bytes = Buffer.from(labelValue, "utf8");
  return bytes.length === 16 ? uuidOfBytes(bytes) : nilUuid;
}

function keyValues(
  map: Readonly<Record<string, string>>,
  kind: "label" | "annotation",
): KubernetesKeyValue[] {
  const keys = Object.keys(map).sort();
  const out: KubernetesKeyValue[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = map[key] as string;
    const entry: KubernetesKeyValue = { id: "", unique_id: "", kind };
    if (key !== "") entry.key = key;
    if (value !== "") entry.value = value;
    out[i] = entry;
  }
  return out;
}

const mayHoldAttributeKeys = /"(?:id|attribute)"/i;

/** What json.Unmarshal makes of `spec` or `status` before its attribute is set: nil for null. */
function attributeStructAt(text: string, member: JsonMember): KubernetesResourceAttribute | undefined {
  const kind = jsonKindAt(text, member.start);
  if (kind === "null") return undefined;
  const out: KubernetesResourceAttribute = { id: "" };
  if (kind !== "object") return out;
  // Most specs have neither key anywhere; a regular expression says so faster than a walk.
  if (!mayHoldAttributeKeys.test(text.slice(member.start, member.end))) return out;
  for (const inner of objectMembers(text, member.start) ?? []) {
    const field = folded(inner.key);
    if (field !== "id" && field !== "attribute") continue;
    const value = stringAt(text, inner);
    if (value === undefined) continue;
    if (field === "id") out.id = value;
    else if (value === "") delete out.attribute;
    else out.attribute = value;
  }
  return out;
}

interface MetadataFields {
  id: string;
  name: string;
  generateName: string;
  namespace: string;
  selfLink: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
  deletionTimestamp: string;
  deletionGracePeriodSeconds: number | undefined;
  clusterName: string;
  clusterId: string;
  ownerReferences: string;
  finalizers: string;
}

const metadataStringFields: Readonly<Record<string, keyof MetadataFields>> = {
  id: "id",
  name: "name",
  generatename: "generateName",
  namespace: "namespace",
  selflink: "selfLink",
  uid: "uid",
  resourceversion: "resourceVersion",
  creationtimestamp: "creationTimestamp",
  deletiontimestamp: "deletionTimestamp",
  clustername: "clusterName",
  cluster_id: "clusterId",
};

function metadataFieldsOf(text: string, metadata: JsonMember | undefined): MetadataFields {
  const fields: MetadataFields = {
    id: "",
    name: "",
    generateName: "",
    namespace: "",
    selfLink: "",
    uid: "",
    resourceVersion: "",
    generation: 0,
    creationTimestamp: "",
    deletionTimestamp: "",
    deletionGracePeriodSeconds: undefined,
    clusterName: "",
    clusterId: "",
    ownerReferences: "",
    finalizers: "",
  };
  if (metadata === undefined) return fields;
  const members = objectMembers(text, metadata.start) ?? [];
  for (const member of members) {
    const field = folded(member.key);
    const stringField = metadataStringFields[field];
    if (stringField !== undefined) {
      const value = stringAt(text, member);
      if (value !== undefined) (fields[stringField] as string) = value;
    } else if (field === "generation") {
      const value = int64At(text, member);
      if (value !== undefined) fields.generation = value;
    } else if (field === "deletiongraceperiodseconds") {
      // A pointer: null clears it; any other value allocates it, and only an integer fills it.
      fields.deletionGracePeriodSeconds =
        jsonKindAt(text, member.start) === "null" ? undefined : (int64At(text, member) ?? 0);
    }
  }
  const owners = exactMember(members, "ownerReferences");
  if (owners !== undefined) fields.ownerReferences = rawAt(text, owners);
  const finalizers = exactMember(members, "finalizers");
  if (finalizers !== undefined) fields.finalizers = rawAt(text, finalizers);
  return fields;
}

function objectMetaOf(resource: StoredResource, fields: MetadataFields): KubernetesResourceObjectMeta {
  // Built key by key in the struct's field order, so the JSON text has Go's key order too.
  const meta = { id: fields.id } as KubernetesResourceObjectMeta;
  if (fields.name !== "") meta.name = fields.name;
  if (fields.generateName !== "") meta.generateName = fields.generateName;
  if (fields.namespace !== "") meta.namespace = fields.namespace;
  if (fields.selfLink !== "") meta.selfLink = fields.selfLink;
  meta.uid = fields.uid;
  if (fields.resourceVersion !== "") meta.resourceVersion = fields.resourceVersion;
  if (fields.generation !== 0) meta.generation = fields.generation;
  if (fields.creationTimestamp !== "") meta.creationTimestamp = fields.creationTimestamp;
  if (fields.deletionTimestamp !== "") meta.deletionTimestamp = fields.deletionTimestamp;
  if (fields.deletionGracePeriodSeconds !== undefined)
    meta.deletionGracePeriodSeconds = fields.deletionGracePeriodSeconds;
  const labels = keyValues(resource.labels, "label");
  if (labels.length > 0) meta.labels = labels;
  const annotations = keyValues(resource.annotations, "annotation");
  if (annotations.length > 0) meta.annotations = annotations;
  if (fields.ownerReferences !== "") meta.ownerReferences = fields.ownerReferences;
  if (fields.finalizers !== "") meta.finalizers = fields.finalizers;
  if (fields.clusterName !== "") meta.clusterName = fields.clusterName;
  meta.cluster_id = fields.clusterId;
  return meta;
}

type SecondaryField = "immutable" | "data" | "binaryData" | "stringData" | "type";
const secondaryFields: readonly SecondaryField[] = ["immutable", "data", "binaryData", "stringData", "type"];
const secondaryByFold: Readonly<Record<string, SecondaryField>> = {
  immutable: "immutable",
  data: "data",
  binarydata: "binaryData",
  stringdata: "stringData",
  type: "type",
};

/**
 * The object as Go MeshSync publishes it (model.ParseList). Reads the stored JSON text, cutting out
 * the parts that travel as text rather than parsing the object; only a Service's spec and status
 * are parsed, for its URLs.
 */
export function toKubernetesResource(
  resource: StoredResource,
  options: KubernetesResourceOptions = {},
): KubernetesResource {
  const text = resource.objectText;
  const members = objectMembers(text) ?? [];

  // json.Unmarshal's pass: every member whose key folds onto a field and whose value fits it.
  let id = "";
  let apiVersion = "";
  let kind = "";
  let model = "";
  let metadata: JsonMember | undefined;
  let spec: KubernetesResourceAttribute | undefined;
  let status: KubernetesResourceAttribute | undefined;
  const secondary: Record<SecondaryField, string> = {
    immutable: "",
    data: "",
    binaryData: "",
    stringData: "",
    type: "",
  };
  for (const member of members) {
    const field = folded(member.key);
    switch (field) {
      case "id":
      case "apiversion":
      case "kind":
      case "model": {
        const value = stringAt(text, member);
        if (value === undefined) break;
        if (field === "id") id = value;
        else if (field === "apiversion") apiVersion = value;
        else if (field === "kind") kind = value;
        else model = value;
        break;
      }
      case "metadata":
        if (jsonKindAt(text, member.start) === "object") metadata = member;
        break;
      case "spec":
        spec = attributeStructAt(text, member);
        break;
      case "status":
        status = attributeStructAt(text, member);
        break;
      default: {
        const secondaryField = secondaryByFold[field];
        if (secondaryField === undefined) break;
        const value = stringAt(text, member);
        if (value !== undefined) secondary[secondaryField] = value;
      }
    }
  }

  // jsonparser's pass: the members that travel as JSON text, found by their exact key.
  const specMember = exactMember(members, "spec");
  if (specMember !== undefined && spec !== undefined) spec.attribute = rawAt(text, specMember);
  const statusMember = exactMember(members, "status");
  if (statusMember !== undefined && status !== undefined) status.attribute = rawAt(text, statusMember);
  for (const field of secondaryFields) {
    const member = exactMember(members, field);
    if (member !== undefined) secondary[field] = rawAt(text, member);
  }
  if (spec?.attribute === "") delete spec.attribute;
  if (status?.attribute === "") delete status.attribute;

  const designId = resource.labels[designIdLabel];
  const componentMetadata =
    kind === "Service" && options.event !== "DELETED"
      ? serviceComponentMetadata(parsedAt(text, specMember), parsedAt(text, statusMember))
      : null;

  const out = {
    id,
    apiVersion,
    kind,
    model,
    metadata: objectMetaOf(resource, metadataFieldsOf(text, metadata)),
  } as KubernetesResource;
  if (spec !== undefined) out.spec = spec;
  if (status !== undefined) out.status = status;
  out.cluster_id = resource.clusterId;
  out.pattern_resource = designId === undefined ? null : patternResourceOf(designId);
  out.component_metadata = componentMetadata;
  for (const field of secondaryFields) if (secondary[field] !== "") out[field] = secondary[field];
  return out;
}

function parsedAt(text: string, member: JsonMember | undefined): unknown {
  return member === undefined ? undefined : JSON.parse(text.slice(member.start, member.end));
}

/**
 * The id Meshery Server gives the row it stores an object in (meshsync SetID, run by gorm's hooks):
 * base64 of `<cluster_id>.<kind>.<apiVersion>.<namespace>.<name>`.
 */
export function meshServerResourceId(resource: KubernetesResource): string {
  const { namespace = "", name = "" } = resource.metadata;
  return Buffer.from(
    `${resource.cluster_id}.${resource.kind}.${resource.apiVersion}.${namespace}.${name}`,
    "utf8",
  ).toString("base64");
}
