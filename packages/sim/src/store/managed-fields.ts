// metadata.managedFields as the real server keeps it: one entry per manager, operation and
// subresource, holding the fields that manager last set. A write moves the fields it changed to
// its manager (taking them from any other, as a forced apply would) and drops removed fields from
// everyone.
import { builtinGroups, type SimResourceType } from "../catalog.js";
import type { KubeObject, ObjectMeta } from "../object-api.js";
import {
  builtinSkeleton,
  compareObjects,
  customSkeleton,
  differenceOf,
  type FieldScope,
  type FieldSet,
  fieldSetOf,
  isEmptySet,
  type Skeleton,
  unionSets,
} from "./field-set.js";
import { isPlainObject, nowTimestamp } from "./object-meta.js";
import { apiVersionOf } from "./registry.js";

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Update" | "Apply";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldSet;
  subresource?: string;
}

/** Who writes, and how: an Update (create, update, patch) or a server-side Apply of `applied`. */
export interface FieldManager {
  name: string;
  operation: "Update" | "Apply";
  applied?: KubeObject;
  /** The API version the request went through, where it differs from the stored type's. */
  apiVersion?: string;
}

const builtinGroupNames = new Set(["", ...builtinGroups.map((group) => group.name)]);
const systemNamespaceNames = new Set(["default", "kube-node-lease", "kube-public", "kube-system"]);

function skeletonOf(type: SimResourceType): Skeleton {
  return builtinGroupNames.has(type.group) ? builtinSkeleton : customSkeleton;
}

function hasStatusSubresource(type: SimResourceType): boolean {
  return type.subresources?.includes("status") ?? false;
}

/** The part of the object a write through this subresource may set. */
function scopeOf(type: SimResourceType, subresource: string | undefined): FieldScope {
  if (subresource === "status") return "status";
  return hasStatusSubresource(type) ? "main" : "all";
}

/**
 * The manager the real server records: the fieldManager parameter, else the User-Agent's program
 * name (everything before the first "/"), truncated to 128 characters as the server does.
 */
export function managerName(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const agent = userAgent ?? "";
  const slash = agent.indexOf("/");
  return (slash >= 0 ? agent.slice(0, slash) : agent).slice(0, 128);
}

// The real server orders entries by operation (Apply first), then time, manager, apiVersion and
// subresource.
function compareEntries(a: ManagedFieldsEntry, b: ManagedFieldsEntry): number {
  if (a.operation !== b.operation) return a.operation < b.operation ? -1 : 1;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.manager !== b.manager) return a.manager < b.manager ? -1 : 1;
  if (a.apiVersion !== b.apiVersion) return a.apiVersion < b.apiVersion ? -1 : 1;
  const sa = a.subresource ?? "";
  const sb = b.subresource ?? "";
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function entriesOf(meta: ObjectMeta | undefined): ManagedFieldsEntry[] {
  const entries = meta?.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.filter(
    (entry): entry is ManagedFieldsEntry =>
      isPlainObject(entry) && typeof entry.manager === "string" && isPlainObject(entry.fieldsV1),
  );
}

function entry(
  manager: string,
  operation: "Update" | "Apply",
  apiVersion: string,
  time: string,
  fields: FieldSet,
  subresource: string | undefined,
): ManagedFieldsEntry {
  const made: ManagedFieldsEntry = {
    manager,
    operation,
    apiVersion,
    time,
    fieldsType: "FieldsV1",
    fieldsV1: fields,
  };
  if (subresource) made.subresource = subresource;
  return made;
}

/**
 * The entries after a write from `before` (undefined for a create) to `after`. `incoming` are the
 * entries the request carried: the server takes them as given when they differ from the stored ones
 * (an empty list resets them), else keeps the stored ones.
 */
export function managedFieldsAfterWrite(
  type: SimResourceType,
  before: KubeObject | undefined,
  after: KubeObject,
  manager: FieldManager,
  subresource: string | undefined,
): ManagedFieldsEntry[] {
  const skeleton = skeletonOf(type);
  const scope = scopeOf(type, subresource);
  const { changed, removed } = compareObjects(before ?? {}, after, skeleton, scope);
  const previous = entriesOf(after.metadata);
  const applied =
    manager.operation === "Apply" && manager.applied
      ? fieldSetOf(manager.applied, skeleton, scope, true)
      : undefined;
  if (!applied && isEmptySet(changed) && isEmptySet(removed)) return previous;
  const apiVersion = manager.apiVersion ?? apiVersionOf(type.group, type.version);
  const sub = subresource === "status" ? "status" : undefined;
  const result: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const current of previous) {
    if (
      current.manager === manager.name &&
      current.operation === manager.operation &&
      (current.subresource ?? undefined) === sub
    ) {
      own = current;
      continue;
    }
    const rest = differenceOf(differenceOf(current.fieldsV1, changed), removed);
    // Built afresh, not spread: a lazy entry would bring along the object it was computed from.
    if (!isEmptySet(rest)) {
      result.push(
        entry(
          current.manager,
          current.operation,
          current.apiVersion,
          current.time,
          rest,
          current.subresource,
        ),
      );
    }
  }
  const ownFields = applied ?? differenceOf(unionSets(own?.fieldsV1 ?? {}, changed), removed);
  if (!isEmptySet(ownFields)) {
    result.push(entry(manager.name, manager.operation, apiVersion, nowTimestamp(), ownFields, sub));
  }
  return result.sort(compareEntries);
}

/** Whether a request's managedFields replace the stored ones (they do when they differ). */
export function carriesOwnManagedFields(incoming: unknown, stored: unknown): boolean {
  return Array.isArray(incoming) && JSON.stringify(incoming) !== JSON.stringify(stored ?? []);
}

// ---- objects the server did not get from a client: scenarios and the simulated controllers ----

/** Who would have written an object a scenario or the simulated controllers made. */
export function likelyManager(obj: KubeObject, type: SimResourceType): string {
  const meta = obj.metadata ?? {};
  if (meta.ownerReferences?.some((owner) => owner.controller)) return "kube-controller-manager";
  switch (type.kind) {
    case "Node":
      return "kubelet";
    case "Namespace":
      return systemNamespaceNames.has(meta.name ?? "") ? "kube-apiserver" : "kubectl-client-side-apply";
    case "Lease":
      return meta.namespace === "kube-node-lease" ? "kubelet" : "kube-controller-manager";
    case "Event":
      return eventReporter(obj) ?? "kube-controller-manager";
    case "EndpointSlice":
    case "Endpoints":
      return "kube-controller-manager";
    case "ServiceAccount":
      return meta.name === "default" ? "kube-controller-manager" : "kubectl-client-side-apply";
    case "ConfigMap":
      return meta.name === "kube-root-ca.crt" ? "kube-controller-manager" : "kubectl-client-side-apply";
    default:
      return meta.namespace === "kube-system" ? "kubeadm" : "kubectl-client-side-apply";
  }
}

/** Who writes an object's status: the kubelet for pods and nodes, controllers for the rest. */
export function likelyStatusManager(type: SimResourceType): string {
  return type.group === "" && (type.kind === "Pod" || type.kind === "Node")
    ? "kubelet"
    : "kube-controller-manager";
}

function eventReporter(obj: KubeObject): string | undefined {
  const reporting = obj.reportingController ?? obj.reportingComponent;
  if (typeof reporting === "string" && reporting) return reporting;
  const source = obj.source;
  if (isPlainObject(source) && typeof source.component === "string" && source.component)
    return source.component;
  return undefined;
}

/**
 * Entries for an object that arrives whole (a scenario's): its writer's Update of everything but
 * the status and, where the status is a subresource, its status writer's. Their field sets are
 * worked out when first read: building them for a 150,000-pod scenario up front would take several
 * times as long as generating it. A stored object never changes (writes store new ones), so the
 * set is the same whenever it is read.
 */
export function initialManagedFields(obj: KubeObject, type: SimResourceType): ManagedFieldsEntry[] {
  const skeleton = skeletonOf(type);
  const apiVersion =
    typeof obj.apiVersion === "string" ? obj.apiVersion : apiVersionOf(type.group, type.version);
  const time = obj.metadata?.creationTimestamp ?? nowTimestamp();
  const withStatus = hasStatusSubresource(type);
  const main = lazyEntry(
    likelyManager(obj, type),
    apiVersion,
    time,
    obj,
    skeleton,
    withStatus ? "main" : "all",
  );
  if (!withStatus || !isPlainObject(obj.status) || Object.keys(obj.status).length === 0) return [main];
  const status = lazyEntry(likelyStatusManager(type), apiVersion, time, obj, skeleton, "status");
  status.subresource = "status";
  return [main, status].sort(compareEntries);
}

// Where a lazy entry's set comes from, kept under symbols so that neither JSON nor a structured
// clone carries them: both read fieldsV1 through the getter and get a plain set.
const sourceObject = Symbol("managedFieldsSource");
const sourceSkeleton = Symbol("managedFieldsSkeleton");
const sourceScope = Symbol("managedFieldsScope");
const builtFields = Symbol("managedFieldsBuilt");

interface LazyEntry extends ManagedFieldsEntry {
  [sourceObject]: KubeObject;
  [sourceSkeleton]: Skeleton;
  [sourceScope]: FieldScope;
  [builtFields]: FieldSet | undefined;
}

// One getter for all lazy entries, so an entry costs a few fields and no closure of its own.
const lazyFields: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyEntry): FieldSet {
    this[builtFields] ??= fieldSetOf(this[sourceObject], this[sourceSkeleton], this[sourceScope]);
    return this[builtFields];
  },
};

function lazyEntry(
  manager: string,
  apiVersion: string,
  time: string,
  obj: KubeObject,
  skeleton: Skeleton,
  scope: FieldScope,
): ManagedFieldsEntry {
  const made = { manager, operation: "Update", apiVersion, time, fieldsType: "FieldsV1" } as LazyEntry;
  Object.defineProperty(made, "fieldsV1", lazyFields);
  made[sourceObject] = obj;
  made[sourceSkeleton] = skeleton;
  made[sourceScope] = scope;
  made[builtFields] = undefined;
  return made;
}
