import type { KubeObject } from "./object.js";

/**
 * The fields a Kubernetes API server lets a field selector use, besides metadata.name and
 * metadata.namespace which every kind has (the fieldSelector conversion funcs registered per kind in
 * kubernetes/pkg/apis/<group>). They are read once when an object is stored, so a field selector
 * never has to parse the stored object.
 */
const FIELDS_BY_KIND: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Node: ["spec.unschedulable"],
  Namespace: ["status.phase"],
  Secret: ["type"],
  ReplicaSet: ["status.replicas"],
  ReplicationController: ["status.replicas"],
  Job: ["status.successful"],
  CertificateSigningRequest: ["spec.signerName"],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "regarding.kind",
    "regarding.namespace",
    "regarding.name",
    "regarding.uid",
    "regarding.apiVersion",
    "regarding.resourceVersion",
    "regarding.fieldPath",
    "reportingController",
  ],
};

export const selectableFieldPaths: ReadonlySet<string> = new Set([
  "metadata.name",
  "metadata.namespace",
  ...Object.values(FIELDS_BY_KIND).flat(),
]);

const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

function read(object: KubeObject, path: string): string | undefined {
  let value: unknown = object;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  // The core Event's "source" selects on source.component.
  if (path === "source" && value !== null && typeof value === "object") {
    const component = (value as Record<string, unknown>).component;
    return typeof component === "string" ? component : undefined;
  }
  return undefined;
}

/** The selectable fields of one object that have a value; none for kinds without any. */
export function selectableFieldsOf(kind: string, object: KubeObject): Readonly<Record<string, string>> {
  const paths = FIELDS_BY_KIND[kind];
  if (paths === undefined) return NO_FIELDS;
  const fields: Record<string, string> = {};
  for (const path of paths) {
    const value = read(object, path);
    if (value !== undefined && value !== "") fields[path] = value;
  }
  return fields;
}
