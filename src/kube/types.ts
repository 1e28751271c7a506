// The shapes the engine reads off an API server and hands down to the graph. The graph implements
// ResourceEventSink; src/kube never imports src/graph (DESIGN.md: data flows one way).

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Any Kubernetes object as it comes off the wire; only metadata is assumed to have a shape. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** One servable resource type, as discovery describes it. */
export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  resource: string; // plural, e.g. "pods"
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
}

/** A cluster as the engine knows it: id is the uid of its kube-system namespace. */
export interface ClusterRef {
  id: string;
  name: string;
}

/**
 * What a reflector tells its consumer, per resource type (client-go's Store/DeltaFIFO contract).
 * `replace` carries the complete result of a (re)list: the consumer drops what is not in it.
 * Objects are handed over: the sink may keep parts of them, so the caller must not change them after.
 */
export interface ResourceEventSink {
  upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject): void;
  delete(cluster: ClusterRef, type: ResourceType, object: KubeObject): void;
  replace(cluster: ClusterRef, type: ResourceType, objects: KubeObject[]): void;
  /** Every object of the cluster is gone, and so is the cluster (its API server turned out to be another one). */
  removeCluster(cluster: ClusterRef): void;
}

/** `<plural>.<version>.<group>`, as MeshSync names resource types (`pods.v1.`, `deployments.v1.apps`). */
export function resourceTypeName(type: Pick<ResourceType, "resource" | "version" | "group">): string {
  return `${type.resource}.${type.version}.${type.group}`;
}

export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/**
 * Whether two descriptions of the same-named type can share one reflector: a CRD deleted and
 * re-created under the same name may come back with another kind, scope or verbs.
 */
export function sameResourceShape(a: ResourceType, b: ResourceType): boolean {
  if (a.kind !== b.kind || a.namespaced !== b.namespaced || a.verbs.length !== b.verbs.length) return false;
  const verbs = new Set(a.verbs);
  return b.verbs.every((verb) => verbs.has(verb));
}
