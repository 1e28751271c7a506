// A sink that holds what a graph would hold (objects by cluster and uid, with their type), so tests
// can compare it with the simulator's own state.
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
    this.of(cluster.id).set(object.metadata?.uid ?? "", { typeName: resourceTypeName(type), object });
  }

  delete(cluster: ClusterRef, _type: ResourceType, object: KubeObject): void {
    this.changes += 1;
    this.of(cluster.id).delete(object.metadata?.uid ?? "");
  }

  replace(cluster: ClusterRef, type: ResourceType, objects: KubeObject[]): void {
    this.changes += 1;
    const held = this.of(cluster.id);
    const name = resourceTypeName(type);
    for (const [uid, entry] of held) if (entry.typeName === name) held.delete(uid);
    for (const object of objects) held.set(object.metadata?.uid ?? "", { typeName: name, object });
  }

  /** uid → resourceVersion of one type in one cluster. */
  versions(clusterId: string, typeName: string): Map<string, string> {
    const result = new Map<string, string>();
    for (const [uid, entry] of this.of(clusterId)) {
      if (entry.typeName === typeName) result.set(uid, entry.object.metadata?.resourceVersion ?? "");
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
