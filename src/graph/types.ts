import type { ClusterRef, KubeObject, OwnerReference } from "../kube/index.js";
import type { RelationDelta } from "./relations/index.js";

/**
 * One object as the graph holds it. The fields queries filter on are lifted out of the object once,
 * at write time; `object` is the wire object minus metadata.managedFields.
 */
export interface StoredResource {
  /** Stable key: `${clusterId}/${uid}`. */
  readonly key: string;
  readonly clusterId: string;
  readonly uid: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** MeshSync's type name, `<plural>.<version>.<group>`. */
  readonly typeName: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerReference[];
  /** The kind's field-selector fields (spec.nodeName, status.phase, …) that have a value. */
  readonly fields: Readonly<Record<string, string>>;
  readonly object: KubeObject;
  /** The text JSON.stringify(object) gives, made without parsing: what a response sends of `object`. */
  readonly objectText: string;
  /**
   * Characters of the JSON text the graph keeps for the object besides its labels, annotations and
   * owners: what reading `object`, `spec` or `status` costs, known without parsing.
   */
  readonly textLength: number;
  /**
   * An estimate of the heap this version holds: its text, its labels and annotations, and a fixed
   * overhead for the parsed fields and the object itself. What the change log counts against its bound.
   */
  readonly heapSize: number;
  /** metadata.creationTimestamp in milliseconds since the epoch; undefined when absent or unreadable. */
  readonly createdAtMs: number | undefined;
  /** When this process stored this version, in milliseconds since the epoch. */
  readonly storedAtMs: number;
}

/** What a ResourceFilter looks at: enough to decide a match, without the object itself. */
export type FilterView = Pick<
  StoredResource,
  | "clusterId"
  | "uid"
  | "apiVersion"
  | "kind"
  | "namespace"
  | "name"
  | "labels"
  | "annotations"
  | "ownerReferences"
  | "fields"
>;

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface ResourceChange {
  /** Position in the change log; strictly increasing by one per committed change. */
  readonly sequence: number;
  readonly type: ChangeType;
  /** When the change was committed, in epoch milliseconds; never less than the change before it. */
  readonly time: number;
  /** For DELETED, the last known state. */
  readonly resource: StoredResource;
  /**
   * For MODIFIED, what a filter sees of the state it replaced: a filtered reader needs both to tell an
   * object that moved into its filter (ADDED for it) or out of it (DELETED for it) from one that
   * changed inside it. Only the filter's view is kept, so the window does not hold old objects twice.
   */
  readonly previous?: FilterView;
  /** The edges this change made appear or disappear, when it moved any. */
  readonly relations?: RelationDelta;
}

/** The DESIGN.md ResourceFilter; every field narrows, absent fields do not. */
export interface ResourceFilter {
  clusterIds?: readonly string[] | null;
  apiVersions?: readonly string[] | null;
  kinds?: readonly string[] | null;
  namespaces?: readonly string[] | null;
  names?: readonly string[] | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  search?: string | null;
  uids?: readonly string[] | null;
  /** Objects whose ownerReferences name one of these uids. */
  ownerUids?: readonly string[] | null;
  /** Every match must hold: the key with this value, or the key at all when value is absent. */
  annotations?: readonly AnnotationMatch[] | null;
}

export interface AnnotationMatch {
  key: string;
  value?: string | null;
}

export type { ClusterRef };
