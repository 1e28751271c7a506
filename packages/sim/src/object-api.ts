// The object store as the generators see it. The server core implements it; scenarios and churn
// only ever go through it, so they never depend on how objects are kept or served.

import type { KubeObject } from "@meshsync/k8s";

export type { KubeObject, ObjectMeta, OwnerReference } from "@meshsync/k8s";

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
