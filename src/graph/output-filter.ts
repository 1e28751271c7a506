import { resourceTypeName } from "@meshsync/k8s";
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "../kube/index.js";

/** MeshSync's output filters (--outputNamespaces, --outputResources); empty lists let everything through. */
export interface OutputFilter {
  /** Namespaced objects outside these namespaces are left out; cluster-scoped objects always pass. */
  namespaces: readonly string[];
  /** Types to keep, each named by kind ("pod", "Deployment"), plural ("pods") or `<plural>.<version>.<group>`. */
  resources: readonly string[];
}

function typeMatcher(names: readonly string[]): (type: ResourceType) => boolean {
  if (names.length === 0) return () => true;
  const wanted = new Set(names.map((n) => n.trim().toLowerCase()));
  return (type) =>
    wanted.has(type.kind.toLowerCase()) ||
    wanted.has(type.resource.toLowerCase()) ||
    wanted.has(resourceTypeName(type));
}

/**
 * Wraps a sink so that only what the operator asked for reaches it. It sits in front of the graph
 * rather than in the reflectors, so a relist's `retain` stays exact for what is kept.
 */
export function filterSink(sink: ResourceEventSink, filter: OutputFilter): ResourceEventSink {
  if (filter.namespaces.length === 0 && filter.resources.length === 0) return sink;
  const typeWanted = typeMatcher(filter.resources);
  const namespaces = new Set(filter.namespaces);
  const objectWanted = (type: ResourceType, object: KubeObject) =>
    namespaces.size === 0 || !type.namespaced || namespaces.has(object.metadata?.namespace ?? "");
  return {
    upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject) {
      if (typeWanted(type) && objectWanted(type, object)) sink.upsert(cluster, type, object);
    },
    delete(cluster: ClusterRef, type: ResourceType, object: KubeObject) {
      if (typeWanted(type) && objectWanted(type, object)) sink.delete(cluster, type, object);
    },
    retain(cluster: ClusterRef, type: ResourceType, uids: ReadonlySet<string>) {
      // What the namespace filter left out was never stored, so retaining its uids keeps nothing extra.
      if (typeWanted(type)) sink.retain(cluster, type, uids);
    },
    removeCluster(cluster: ClusterRef) {
      sink.removeCluster(cluster);
    },
  };
}
