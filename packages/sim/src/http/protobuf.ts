// Kubernetes' protobuf encoding for request bodies, for the kinds kubectl's typed commands send
// that way (`kubectl create namespace|configmap|secret|serviceaccount|role|rolebinding|deployment|...`). A body is "k8s\0" and a
// runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2}; raw is the object's own message.
// A kind or field this file does not know is a 415, never silently dropped data.
import type { KubeObject } from "../object-api.js";
import { StatusError } from "../store/status-error.js";

type FieldKind =
  | "string"
  | "bytes"
  | "raw"
  | "int"
  // A pointer field in Go: written only when set, so a zero is a value, not an absence.
  | "optionalInt"
  | "bool"
  | "time"
  | "stringMap"
  | "bytesMap"
  | "strings"
  | Schema;
interface Schema {
  [fieldNumber: number]: [name: string, kind: FieldKind, repeated?: boolean];
}

const timestamp: Schema = { 1: ["seconds", "int"], 2: ["nanos", "int"] };
const ownerReference: Schema = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool"],
  7: ["blockOwnerDeletion", "bool"],
};
const objectMeta: Schema = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  4: ["selfLink", "string"],
  5: ["uid", "string"],
  6: ["resourceVersion", "string"],
  7: ["generation", "int"],
  8: ["creationTimestamp", "time"],
  9: ["deletionTimestamp", "time"],
  10: ["deletionGracePeriodSeconds", "int"],
  11: ["labels", "stringMap"],
  12: ["annotations", "stringMap"],
  13: ["ownerReferences", ownerReference, true],
  14: ["finalizers", "strings"],
};
const localObjectReference: Schema = { 1: ["name", "string"] };
const objectReference: Schema = {
  1: ["kind", "string"],
  2: ["namespace", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["resourceVersion", "string"],
  7: ["fieldPath", "string"],
};

const resourceAttributes: Schema = {
  1: ["namespace", "string"],
  2: ["verb", "string"],
  3: ["group", "string"],
  4: ["version", "string"],
  5: ["resource", "string"],
  6: ["subresource", "string"],
  7: ["name", "string"],
};
const nonResourceAttributes: Schema = { 1: ["path", "string"], 2: ["verb", "string"] };
const boundObjectReference: Schema = {
  1: ["kind", "string"],
  2: ["apiVersion", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
};

const policyRule: Schema = {
  1: ["verbs", "strings"],
  2: ["apiGroups", "strings"],
  3: ["resources", "strings"],
  4: ["resourceNames", "strings"],
  5: ["nonResourceURLs", "strings"],
};
const labelSelector: Schema = {
  1: ["matchLabels", "stringMap"],
  2: [
    "matchExpressions",
    { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "strings"] },
    true,
  ],
};
const subject: Schema = {
  1: ["kind", "string"],
  2: ["apiGroup", "string"],
  3: ["name", "string"],
  4: ["namespace", "string"],
};
const roleRef: Schema = { 1: ["apiGroup", "string"], 2: ["kind", "string"], 3: ["name", "string"] };
const binding: Schema = {
  1: ["metadata", objectMeta],
  2: ["subjects", subject, true],
  3: ["roleRef", roleRef],
};

// What `kubectl create deployment NAME --image=I [--replicas=N] [--port=P] [-- COMMAND]` sends: a
// pod template of plain containers. Resources, probes, env and volumes are left out, so a body with
// them is refused rather than half read.
const containerPort: Schema = {
  1: ["name", "string"],
  2: ["hostPort", "int"],
  3: ["containerPort", "int"],
  4: ["protocol", "string"],
  5: ["hostIP", "string"],
};
const container: Schema = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "strings"],
  4: ["args", "strings"],
  5: ["workingDir", "string"],
  6: ["ports", containerPort, true],
  // ResourceRequirements, accepted only empty (its maps hold Quantity messages).
  8: ["resources", {}],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  16: ["stdin", "bool"],
  17: ["stdinOnce", "bool"],
  18: ["tty", "bool"],
  20: ["terminationMessagePolicy", "string"],
};
const podSpec: Schema = {
  2: ["containers", container, true],
  3: ["restartPolicy", "string"],
  6: ["dnsPolicy", "string"],
  7: ["nodeSelector", "stringMap"],
  8: ["serviceAccountName", "string"],
  9: ["serviceAccount", "string"],
  10: ["nodeName", "string"],
  11: ["hostNetwork", "bool"],
  12: ["hostPID", "bool"],
  13: ["hostIPC", "bool"],
  16: ["hostname", "string"],
  17: ["subdomain", "string"],
  19: ["schedulerName", "string"],
  24: ["priorityClassName", "string"],
};
const deployment: Schema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      1: ["replicas", "optionalInt"],
      2: ["selector", labelSelector],
      3: ["template", { 1: ["metadata", objectMeta], 2: ["spec", podSpec] }],
      4: ["strategy", { 1: ["type", "string"] }],
      5: ["minReadySeconds", "int"],
      6: ["revisionHistoryLimit", "optionalInt"],
      7: ["paused", "bool"],
      9: ["progressDeadlineSeconds", "optionalInt"],
    },
  ],
  3: [
    "status",
    {
      1: ["observedGeneration", "int"],
      2: ["replicas", "int"],
      3: ["updatedReplicas", "int"],
      4: ["availableReplicas", "int"],
      5: ["unavailableReplicas", "int"],
      7: ["readyReplicas", "int"],
    },
  ],
};

const kinds: Record<string, Schema> = {
  "v1/ConfigMap": {
    1: ["metadata", objectMeta],
    2: ["data", "stringMap"],
    3: ["binaryData", "bytesMap"],
    4: ["immutable", "bool"],
  },
  "v1/Secret": {
    1: ["metadata", objectMeta],
    2: ["data", "bytesMap"],
    3: ["type", "string"],
    4: ["stringData", "stringMap"],
    5: ["immutable", "bool"],
  },
  "v1/Namespace": {
    1: ["metadata", objectMeta],
    2: ["spec", { 1: ["finalizers", "strings"] }],
    3: ["status", { 1: ["phase", "string"] }],
  },
  "v1/ServiceAccount": {
    1: ["metadata", objectMeta],
    2: ["secrets", objectReference, true],
    3: ["imagePullSecrets", localObjectReference, true],
    4: ["automountServiceAccountToken", "bool"],
  },
  "apps/v1/Deployment": deployment,
  // What `kubectl create role|clusterrole|rolebinding|clusterrolebinding` send.
  "rbac.authorization.k8s.io/v1/Role": { 1: ["metadata", objectMeta], 2: ["rules", policyRule, true] },
  "rbac.authorization.k8s.io/v1/ClusterRole": {
    1: ["metadata", objectMeta],
    2: ["rules", policyRule, true],
    3: ["aggregationRule", { 1: ["clusterRoleSelectors", labelSelector, true] }],
  },
  "rbac.authorization.k8s.io/v1/RoleBinding": binding,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": binding,
  // What `kubectl auth can-i`, `auth can-i --list`, `auth whoami` and `create token` send.
  "authorization.k8s.io/v1/SelfSubjectAccessReview": {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      { 1: ["resourceAttributes", resourceAttributes], 2: ["nonResourceAttributes", nonResourceAttributes] },
    ],
    3: [
      "status",
      {
        1: ["allowed", "bool"],
        2: ["reason", "string"],
        3: ["evaluationError", "string"],
        4: ["denied", "bool"],
      },
    ],
  },
  "authorization.k8s.io/v1/SelfSubjectRulesReview": {
    1: ["metadata", objectMeta],
    2: ["spec", { 1: ["namespace", "string"] }],
    3: ["status", { 3: ["incomplete", "bool"], 4: ["evaluationError", "string"] }],
  },
  "authentication.k8s.io/v1/SelfSubjectReview": {
    1: ["metadata", objectMeta],
    2: [
      "status",
      { 1: ["userInfo", { 1: ["username", "string"], 2: ["uid", "string"], 3: ["groups", "strings"] }] },
    ],
  },
  "authentication.k8s.io/v1/TokenRequest": {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      {
        1: ["audiences", "strings"],
        3: ["boundObjectRef", boundObjectReference],
        4: ["expirationSeconds", "int"],
      },
    ],
    3: ["status", { 1: ["token", "string"], 2: ["expirationTimestamp", "time"] }],
  },
};

const unsupported = (why: string) =>
  new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unsupported protobuf form (${why}) - send application/json instead`,
  );

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.bytes.length) throw unsupported("truncated varint");
      const byte = this.bytes[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw unsupported("varint too long");
    }
  }

  chunk(): Uint8Array {
    const length = Number(this.varint());
    if (this.offset + length > this.bytes.length) throw unsupported("truncated field");
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeMessage(bytes: Uint8Array, schema: Schema, where: string): Record<string, unknown> {
  const reader = new Reader(bytes);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const key = Number(reader.varint());
    const fieldNumber = key >>> 3;
    const wireType = key & 7;
    const field = schema[fieldNumber];
    if (!field) throw unsupported(`field ${fieldNumber} of ${where}`);
    const [name, kind, repeated] = field;
    const value = wireType === 0 ? reader.varint() : wireType === 2 ? reader.chunk() : undefined;
    if (value === undefined) throw unsupported(`wire type ${wireType} in ${where}.${name}`);
    const decoded = decodeValue(value, kind, `${where}.${name}`);
    if (kind === "stringMap" || kind === "bytesMap") {
      const [entryKey, entryValue] = decoded as [string, string];
      out[name] = { ...((out[name] as Record<string, string>) ?? {}), [entryKey]: entryValue };
    } else if (repeated || kind === "strings") {
      out[name] = [...((out[name] as unknown[]) ?? []), decoded];
    } else if (kind === "optionalInt" || !isUnset(decoded)) {
      out[name] = decoded;
    }
  }
  return out;
}

function decodeValue(value: bigint | Uint8Array, kind: FieldKind, where: string): unknown {
  const bytes = () => {
    if (typeof value === "bigint") throw unsupported(`${where} is not length-delimited`);
    return value;
  };
  switch (kind) {
    case "int":
    case "optionalInt":
      return typeof value === "bigint" ? Number(BigInt.asIntN(64, value)) : unsupportedValue(where);
    case "bool":
      return typeof value === "bigint" ? value !== 0n : unsupportedValue(where);
    case "string":
    case "strings":
      return utf8.decode(bytes());
    case "bytes":
      return Buffer.from(bytes()).toString("base64");
    case "raw":
      return bytes();
    case "time": {
      const time = decodeMessage(bytes(), timestamp, where);
      const seconds = typeof time.seconds === "number" ? time.seconds : 0;
      return seconds === 0 ? undefined : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    }
    case "stringMap":
    case "bytesMap": {
      const entry = decodeMessage(
        bytes(),
        { 1: ["key", "string"], 2: ["value", kind === "stringMap" ? "string" : "bytes"] },
        where,
      );
      return [entry.key ?? "", entry.value ?? ""];
    }
    default:
      return decodeMessage(bytes(), kind, where);
  }
}

function unsupportedValue(where: string): never {
  throw unsupported(`${where} is not a varint`);
}

// Go writes every proto2 field, set or not; its JSON leaves out the empty ones, and so do we.
function isUnset(value: unknown): boolean {
  if (value === undefined || value === "" || value === 0 || value === false) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    Object.keys(value).length === 0
  );
}

const magic = [0x6b, 0x38, 0x73, 0x00];

/** Decodes a protobuf request body into the JSON object it stands for. */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (body.length < 4 || magic.some((byte, index) => body[index] !== byte))
    throw unsupported("missing the k8s envelope");
  const typeMetaSchema: Schema = { 1: ["apiVersion", "string"], 2: ["kind", "string"] };
  const envelope: Schema = {
    1: ["typeMeta", typeMetaSchema],
    2: ["raw", "raw"],
    3: ["contentEncoding", "string"],
    4: ["contentType", "string"],
  };
  const unknown = decodeMessage(body.subarray(4), envelope, "Unknown");
  if (unknown.contentEncoding) throw unsupported(`content encoding ${String(unknown.contentEncoding)}`);
  const typeMeta = (unknown.typeMeta ?? {}) as Record<string, unknown>;
  const apiVersion = String(typeMeta.apiVersion ?? "");
  const kind = String(typeMeta.kind ?? "");
  const schema = kinds[`${apiVersion}/${kind}`];
  if (!schema) throw unsupported(`kind ${apiVersion}/${kind}`);
  const raw = unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array();
  return { apiVersion, kind, ...decodeMessage(raw, schema, kind) };
}
