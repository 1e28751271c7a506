// The shapes the engine reads off an API server and hands down to the graph. The graph implements
// ResourceEventSink; src/kube never imports src/graph (DESIGN.md: data flows one way). Object
// metadata and resource type names are Kubernetes semantics, shared with the simulator.
import type { KubeObject } from "@meshsync/k8s";

export {
  apiVersionOf,
  type KubeObject,
  type ObjectMeta,
  type OwnerReference,
  resourceTypeName,
} from "@meshsync/k8s";

/** One servable resource type, as discovery describes it. */
export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  resource: string; // plural, e.g. "pods"
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** Discovery's singularName, when it gives one (built-in types may leave it empty: the lower-cased kind). */
  singularName?: string;
  shortNames?: string[];
}

/** A cluster as the engine knows it: id is the uid of its kube-system namespace. */
export interface ClusterRef {
  id: string;
  name: string;
}

/**
 * What a reflector tells its consumer, per resource type (client-go's Store/DeltaFIFO contract, with
 * the Replace of a (re)list split so that it streams). A list comes as an upsert of each object, page
 * by page, then `retain` with the uids the list held: the consumer drops the type's other objects.
 * Objects are handed over: the sink may keep parts of them, so the caller must not change them after.
 */
export interface ResourceEventSink {
  upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject): void;
  delete(cluster: ClusterRef, type: ResourceType, object: KubeObject): void;
  /** The end of a (re)list: every object of the type whose uid is not among these is gone. */
  retain(cluster: ClusterRef, type: ResourceType, uids: ReadonlySet<string>): void;
  /** Every object of the cluster is gone, and so is the cluster (its API server turned out to be another one). */
  removeCluster(cluster: ClusterRef): void;
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
