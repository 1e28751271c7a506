import type { KubeObject } from "../../object-api.js";

/** Lists one namespace's objects of a type; used once per namespace to seed the index. */
export type NamespaceLister = (
  resource: "pods" | "endpointslices" | "services" | "replicasets",
  namespace: string,
) => KubeObject[];

/**
 * Which pods and ReplicaSets each controller owns, which slices each service has and what each
 * service selects, per namespace. Reading a namespace's objects from the store copies every one of
 * them (thousands of pods at scale), so each namespace is read once and then kept current from the
 * churn's own writes. Entries may go stale when others write; readers drop names that no longer
 * resolve.
 */
export class ClusterIndex {
  private readonly pods = new Map<string, Map<string, string>>();
  private readonly replicaSets = new Map<string, Map<string, string>>();
  private readonly slices = new Map<string, Map<string, Set<string>>>();
  private readonly selectors = new Map<string, Map<string, Record<string, unknown>>>();

  constructor(private readonly listNamespace: NamespaceLister) {}

  /** Pod name → the uid of its controller ("" when it has none). */
  podsIn(namespace: string): Map<string, string> {
    let pods = this.pods.get(namespace);
    if (!pods) {
      pods = new Map();
      for (const pod of this.listNamespace("pods", namespace)) {
        pods.set(pod.metadata?.name ?? "", controllerUid(pod));
      }
      this.pods.set(namespace, pods);
    }
    return pods;
  }

  podNamesOwnedBy(namespace: string, ownerUid: string): string[] {
    return namesOwnedBy(this.podsIn(namespace), ownerUid);
  }

  replicaSetNamesOwnedBy(namespace: string, ownerUid: string): string[] {
    let sets = this.replicaSets.get(namespace);
    if (!sets) {
      sets = new Map();
      for (const rs of this.listNamespace("replicasets", namespace))
        sets.set(rs.metadata?.name ?? "", controllerUid(rs));
      this.replicaSets.set(namespace, sets);
    }
    return namesOwnedBy(sets, ownerUid);
  }

  /** Service name → its selector (empty for a service without one). */
  serviceSelectors(namespace: string): Map<string, Record<string, unknown>> {
    let selectors = this.selectors.get(namespace);
    if (!selectors) {
      selectors = new Map();
      for (const service of this.listNamespace("services", namespace)) {
        selectors.set(service.metadata?.name ?? "", selectorOf(service));
      }
      this.selectors.set(namespace, selectors);
    }
    return selectors;
  }

  /** Slice names of a service. */
  slicesOf(namespace: string, service: string): string[] {
    let byService = this.slices.get(namespace);
    if (!byService) {
      byService = new Map();
      for (const slice of this.listNamespace("endpointslices", namespace)) {
        addTo(byService, serviceOf(slice), slice.metadata?.name ?? "");
      }
      this.slices.set(namespace, byService);
    }
    return [...(byService.get(service) ?? [])];
  }

  /** Keeps the index current after a write of the churn's own. */
  created(resource: string, object: KubeObject): void {
    const namespace = object.metadata?.namespace ?? "";
    const name = object.metadata?.name ?? "";
    if (resource === "pods") this.pods.get(namespace)?.set(name, controllerUid(object));
    if (resource === "replicasets") this.replicaSets.get(namespace)?.set(name, controllerUid(object));
    if (resource === "services") this.selectors.get(namespace)?.set(name, selectorOf(object));
    if (resource === "endpointslices") {
      const byService = this.slices.get(namespace);
      if (byService) addTo(byService, serviceOf(object), name);
    }
  }

  deleted(resource: string, namespace: string | undefined, name: string): void {
    if (resource === "namespaces") {
      this.pods.delete(name);
      this.replicaSets.delete(name);
      this.slices.delete(name);
      this.selectors.delete(name);
      return;
    }
    const ns = namespace ?? "";
    if (resource === "pods") this.pods.get(ns)?.delete(name);
    if (resource === "replicasets") this.replicaSets.get(ns)?.delete(name);
    if (resource === "services") this.selectors.get(ns)?.delete(name);
    if (resource === "endpointslices") {
      for (const names of this.slices.get(ns)?.values() ?? []) names.delete(name);
    }
  }
}

function controllerUid(object: KubeObject): string {
  return object.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid ?? "";
}

function namesOwnedBy(owners: Map<string, string>, ownerUid: string): string[] {
  const names: string[] = [];
  for (const [name, owner] of owners) if (owner === ownerUid) names.push(name);
  return names;
}

function selectorOf(service: KubeObject): Record<string, unknown> {
  const spec = service.spec as { selector?: unknown } | undefined;
  const selector = spec?.selector;
  return typeof selector === "object" && selector !== null
    ? { ...(selector as Record<string, unknown>) }
    : {};
}

function serviceOf(slice: KubeObject): string {
  return slice.metadata?.labels?.["kubernetes.io/service-name"] ?? "";
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
