// A sink that holds what a graph would hold, so tests can compare it with the simulator's own state.
// Objects are keyed by type as well as uid, so each type's reflector is checked on its own.
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "../../src/kube/types.js";
import { resourceTypeName } from "../../src/kube/types.js";

export interface HeldObject {
  typeName: string;
  object: KubeObject;
}

export class StateSink implements ResourceEventSink {
  readonly clusters = new Map<string, Map<string, HeldObject>>();
  changes = 0;

  upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject): void {
    this.changes += 1;
    const typeName = resourceTypeName(type);
    this.of(cluster.id).set(keyOf(typeName, object), { typeName, object });
  }

  delete(cluster: ClusterRef, type: ResourceType, object: KubeObject): void {
    this.changes += 1;
    this.of(cluster.id).delete(keyOf(resourceTypeName(type), object));
  }

  retain(cluster: ClusterRef, type: ResourceType, uids: ReadonlySet<string>): void {
    this.changes += 1;
    const held = this.of(cluster.id);
    const name = resourceTypeName(type);
    for (const [key, entry] of held)
      if (entry.typeName === name && !uids.has(entry.object.metadata?.uid ?? "")) held.delete(key);
  }

  removeCluster(cluster: ClusterRef): void {
    this.changes += 1;
    this.clusters.delete(cluster.id);
  }

  /** uid → resourceVersion of one type in one cluster. */
  versions(clusterId: string, typeName: string): Map<string, string> {
    const result = new Map<string, string>();
    for (const entry of this.of(clusterId).values()) {
      if (entry.typeName === typeName) {
        result.set(entry.object.metadata?.uid ?? "", entry.object.metadata?.resourceVersion ?? "");
      }
    }
    return result;
  }

  count(clusterId: string, typeName: string): number {
    return this.versions(clusterId, typeName).size;
  }

  private of(clusterId: string): Map<string, HeldObject> {
    let held = this.clusters.get(clusterId);
    if (!held) {
      held = new Map();
      this.clusters.set(clusterId, held);
    }
    return held;
  }
}

function keyOf(typeName: string, object: KubeObject): string {
  return `${typeName}/${object.metadata?.uid ?? ""}`;
}
