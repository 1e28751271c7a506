// The fields a field selector may use, per group AND kind, as kube-apiserver decides them: each
// kind's field-label conversion func (kubernetes/pkg/apis/<group>/<version>/conversion.go) says which
// labels it accepts, and its registry's ToSelectableFields what each one reads. Kinds without a
// conversion func, custom resources among them, accept metadata.name and metadata.namespace only,
// plus a CRD's own spec.versions[].selectableFields.
import type { KubeObject } from "./object.js";

/** Reads one selectable field off an object, as the server formats it ("" where it is unset). */
export type FieldRead = (object: KubeObject) => string;

export interface SelectableFields {
  /** Every label the kind accepts, aliases included, sorted: what an error about a refused one lists. */
  readonly labels: readonly string[];
  /** The field a label reads (an alias names another one), or undefined when the kind refuses the label. */
  fieldOf(label: string): string | undefined;
  /** Every field besides metadata.name and metadata.namespace that has a value in `object`. */
  valuesOf(object: KubeObject): Record<string, string>;
  /** Reads one field (as fieldOf returns it) off an object. */
  read(object: KubeObject, field: string): string;
}

function walk(object: KubeObject, path: readonly string[]): unknown {
  let value: unknown = object;
  for (const part of path) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A field's value as text, the way the server's selectable field sets hold strings, ints and bools. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return "";
}

const at = (path: string): FieldRead => {
  const parts = path.split(".");
  return (object) => text(walk(object, parts));
};
/** strconv.FormatBool of a Go bool: unset reads "false". */
const flag = (path: string): FieldRead => {
  const read = at(path);
  return (object) => read(object) || "false";
};
/** strconv.Itoa of a Go int32: unset reads "0". */
const count = (path: string): FieldRead => {
  const read = at(path);
  return (object) => read(object) || "0";
};
/** A label the server accepts whose value its field set never fills: it matches "" only. */
const never: FieldRead = () => "";

interface Table {
  /** Every field besides metadata.*, and how to read it. */
  fields: Readonly<Record<string, FieldRead>>;
  /** Labels that read another field. */
  aliases?: Readonly<Record<string, string>>;
  /** Cluster-scoped kinds whose conversion func refuses metadata.namespace. */
  withoutNamespace?: true;
}

const paths = (...names: string[]) => Object.fromEntries(names.map((name) => [name, at(name)]));

const coreEvent: Table = {
  fields: {
    ...paths(
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "type",
    ),
    source: at("source.component"),
  },
};

const tables: ReadonlyMap<string, Table> = new Map<string, Table>([
  [
    "/Pod",
    {
      fields: {
        ...paths(
          "spec.nodeName",
          "spec.restartPolicy",
          "spec.schedulerName",
          "spec.serviceAccountName",
          "status.phase",
          "status.podIP",
          "status.nominatedNodeName",
        ),
        "spec.hostNetwork": flag("spec.hostNetwork"),
        // Accepted (for the downward API's sake) but not in the pod's selectable field set.
        "status.podIPs": never,
      },
      // Old v1 clients send spec.host.
      aliases: { "spec.host": "spec.nodeName" },
    },
  ],
  ["/Node", { fields: { "spec.unschedulable": flag("spec.unschedulable") }, withoutNamespace: true }],
  ["/Namespace", { fields: paths("status.phase"), withoutNamespace: true }],
  ["/Secret", { fields: paths("type") }],
  ["/Service", { fields: paths("spec.clusterIP", "spec.type") }],
  ["/ReplicationController", { fields: { "status.replicas": count("status.replicas") } }],
  ["/Event", coreEvent],
  [
    "events.k8s.io/Event",
    {
      fields: {
        ...paths(
          "regarding.kind",
          "regarding.namespace",
          "regarding.name",
          "regarding.uid",
          "regarding.apiVersion",
          "regarding.resourceVersion",
          "regarding.fieldPath",
          "reason",
          "type",
        ),
        // events.k8s.io's conversion func accepts these but maps them to names (source.component,
        // reportingInstance) that the core Event's field set lacks, so on a real server they match
        // only the empty value.
        reportingController: never,
        reportingInstance: never,
      },
    },
  ],
  ["apps/ReplicaSet", { fields: { "status.replicas": count("status.replicas") } }],
  ["batch/Job", { fields: { "status.successful": count("status.succeeded") } }],
  [
    "certificates.k8s.io/CertificateSigningRequest",
    { fields: paths("spec.signerName"), withoutNamespace: true },
  ],
  ["certificates.k8s.io/ClusterTrustBundle", { fields: paths("spec.signerName"), withoutNamespace: true }],
  [
    "resource.k8s.io/ResourceSlice",
    { fields: paths("spec.nodeName", "spec.driver"), withoutNamespace: true },
  ],
]);

const metadataOnly: Table = { fields: {} };
/** Shared by every object of a kind with nothing but metadata to select on, so it costs no memory. */
const noValues: Record<string, string> = Object.freeze({}) as Record<string, string>;

function fromTable(table: Table): SelectableFields {
  const entries = Object.entries(table.fields);
  return {
    labels: [
      "metadata.name",
      ...(table.withoutNamespace ? [] : ["metadata.namespace"]),
      ...Object.keys(table.fields),
      ...Object.keys(table.aliases ?? {}),
    ].sort(),
    fieldOf(label) {
      if (label === "metadata.name") return label;
      if (label === "metadata.namespace") return table.withoutNamespace ? undefined : label;
      const alias = table.aliases?.[label];
      if (alias !== undefined) return alias;
      return Object.hasOwn(table.fields, label) ? label : undefined;
    },
    valuesOf(object) {
      if (entries.length === 0) return noValues;
      const values: Record<string, string> = {};
      for (const [field, read] of entries) {
        const value = read(object);
        if (value !== "") values[field] = value;
      }
      return values;
    },
    read(object, field) {
      if (field === "metadata.name") return object.metadata?.name ?? "";
      if (field === "metadata.namespace") return object.metadata?.namespace ?? "";
      return table.fields[field]?.(object) ?? "";
    },
  };
}

const byKind = new Map([...tables].map(([key, table]) => [key, fromTable(table)]));
const onlyMetadata = fromTable(metadataOnly);

/**
 * The selectable fields of one kind of one group. `customFields` are a CRD version's
 * selectableFields jsonPaths (".spec.color"); a custom resource has only those beyond metadata.
 */
export function selectableFields(
  group: string,
  kind: string,
  customFields: readonly string[] = [],
): SelectableFields {
  const builtin = byKind.get(`${group}/${kind}`);
  if (builtin !== undefined) return builtin;
  if (customFields.length === 0) return onlyMetadata;
  const labels = customFields.map((jsonPath) => jsonPath.replace(/^\./, ""));
  return fromTable({ fields: Object.fromEntries(labels.map((label) => [label, at(label)])) });
}

/** The labels every kind's objects can be selected on, whatever their kind: a filter across kinds names these. */
export const metadataFieldLabels: readonly string[] = onlyMetadata.labels;

/** Every label some built-in kind accepts, mapped to the field it reads: a filter across kinds uses these. */
export const builtinFieldLabels: ReadonlyMap<string, string> = new Map([
  ["metadata.name", "metadata.name"],
  ["metadata.namespace", "metadata.namespace"],
  ...[...tables.values()].flatMap((table) => [
    ...Object.keys(table.fields).map((field): [string, string] => [field, field]),
    ...Object.entries(table.aliases ?? {}),
  ]),
]);

/** A CRD version's selectableFields jsonPaths, as the server reads them from spec.versions[]. */
export function crdSelectableFields(crd: KubeObject, version: string): string[] {
  const versions = walk(crd, ["spec", "versions"]);
  if (!Array.isArray(versions)) return [];
  const served = versions.find((entry) => text(walk(entry as KubeObject, ["name"])) === version);
  const fields = walk(served as KubeObject, ["selectableFields"]);
  if (!Array.isArray(fields)) return [];
  return fields.map((field) => text(walk(field as KubeObject, ["jsonPath"]))).filter((path) => path !== "");
}
