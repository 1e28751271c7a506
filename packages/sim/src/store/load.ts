// Loading a scenario's objects into the store: namespaces first, then CRDs (so their custom
// resources can follow), then everything else in the order given.
import type { KubeObject } from "../object-api.js";
import type { ObjectStore } from "./object-store.js";
import { isStatusError } from "./status-error.js";

/** The namespaces every cluster has; meshsync names a cluster by kube-system's uid. */
export const systemNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];

function rank(obj: KubeObject): number {
  if (obj.kind === "Namespace" && obj.apiVersion === "v1") return 0;
  if (obj.kind === "CustomResourceDefinition") return 1;
  return 2;
}

/** Stores each object (taking ownership), adding missing system namespaces; fails with the object's identity on the first bad one. */
export function loadObjects(store: ObjectStore, objects: KubeObject[]): void {
  const ordered = objects
    .map((obj, index) => ({ obj, index }))
    .sort((a, b) => rank(a.obj) - rank(b.obj) || a.index - b.index);
  let systemReady = false;
  for (const { obj } of ordered) {
    if (!systemReady && rank(obj) > 0) {
      ensureSystemNamespaces(store);
      systemReady = true;
    }
    const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
    const type = store.registry.findByKind(group ?? "", version ?? "", String(obj.kind));
    const identity = `${apiVersion} ${String(obj.kind)} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
    if (!type) throw new Error(`cannot load ${identity}: the simulator does not serve that kind`);
    try {
      store.createObject(type, obj.metadata?.namespace, obj);
    } catch (error) {
      const why = isStatusError(error) || error instanceof Error ? error.message : String(error);
      throw new Error(`cannot load ${identity}: ${why}`);
    }
  }
  if (!systemReady) ensureSystemNamespaces(store);
}

/** Adds the system namespaces a scenario left out. */
export function ensureSystemNamespaces(store: ObjectStore): void {
  const namespaces = store.resolve("", "v1", "namespaces");
  for (const name of systemNamespaces) {
    if (!store.getStored(namespaces, undefined, name)) {
      store.createObject(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
  }
}
