// The object store as the generators see it. The server core implements it; scenarios and churn
// only ever go through it, so they never depend on how objects are kept or served.

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
  [k: string]: unknown;
}

/** A Kubernetes object as the simulator holds it: plain JSON, typed only where it routes. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

/**
 * Access to the simulator's objects by group, version and plural resource name ("" is the core
 * group). Errors are thrown as Kubernetes Status-like objects (NotFound, AlreadyExists, Conflict).
 */
export interface ObjectApi {
  list(group: string, version: string, resource: string, namespace?: string): KubeObject[];
  get(
    group: string,
    version: string,
    resource: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  create(group: string, version: string, resource: string, obj: KubeObject): KubeObject;
  update(group: string, version: string, resource: string, obj: KubeObject): KubeObject;
  /**
   * Writes only the status (PUT .../status). As on a real server, update() keeps the stored status
   * of types that have a status subresource, so controllers' status changes need this. Optional:
   * where it is missing, writers fall back to update().
   */
  updateStatus?(group: string, version: string, resource: string, obj: KubeObject): KubeObject;
  delete(group: string, version: string, resource: string, namespace: string | undefined, name: string): void;
}
