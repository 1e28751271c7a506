// Watches CustomResourceDefinitions as they pass from their reflector to the sink, and calls back
// when the set of custom types they serve changes — the moment to rediscover. Status-only updates
// (conditions churning, stored versions) do not count, so they cost nothing.
import { isRecord } from "./errors.js";
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "./types.js";

export interface CrdTracker {
  /** A sink that forwards everything and notes each CRD on its way. */
  wrap(sink: ResourceEventSink): ResourceEventSink;
  /** `<plural>.<group>` of every established CRD with a served version. */
  establishedNames(): string[];
}

export function isCrdType(type: ResourceType): boolean {
  return type.group === "apiextensions.k8s.io" && type.resource === "customresourcedefinitions";
}

export function crdTracker(onServedTypesChanged: () => void): CrdTracker {
  // uid → a fingerprint of what the CRD serves
  const served = new Map<string, string>();

  const note = (uid: string, fingerprint: string | undefined): boolean => {
    const before = served.get(uid);
    if (fingerprint === undefined) served.delete(uid);
    else served.set(uid, fingerprint);
    return before !== fingerprint;
  };

  return {
    wrap(sink) {
      return {
        upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject) {
          sink.upsert(cluster, type, object);
          if (note(object.metadata?.uid ?? "", servedFingerprint(object))) onServedTypesChanged();
        },
        delete(cluster: ClusterRef, type: ResourceType, object: KubeObject) {
          sink.delete(cluster, type, object);
          if (note(object.metadata?.uid ?? "", undefined)) onServedTypesChanged();
        },
        retain(cluster: ClusterRef, type: ResourceType, uids: ReadonlySet<string>) {
          sink.retain(cluster, type, uids);
          let changed = false;
          for (const uid of [...served.keys()]) if (!uids.has(uid)) changed = note(uid, undefined) || changed;
          if (changed) onServedTypesChanged();
        },
        removeCluster(cluster: ClusterRef) {
          sink.removeCluster(cluster);
          served.clear();
        },
      };
    },
    establishedNames() {
      return [...served.values()]
        .filter((print) => print.endsWith("|established"))
        .map((print) => print.split("|")[0] ?? "");
    },
  };
}

/** `<plural>.<group>|<served versions>|established?`, or undefined when the object is not a CRD. */
function servedFingerprint(object: KubeObject): string | undefined {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  const names = spec && isRecord(spec.names) ? spec.names : undefined;
  if (!spec || !names || typeof spec.group !== "string" || typeof names.plural !== "string") return undefined;
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const servedVersions = versions
    .filter((version) => version.served === true && typeof version.name === "string")
    .map((version) => String(version.name))
    .sort();
  if (servedVersions.length === 0) return undefined;
  const status = isRecord(object.status) ? object.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const established = conditions.some((c) => c.type === "Established" && c.status === "True");
  return `${names.plural}.${spec.group}|${servedVersions.join(",")}${established ? "|established" : ""}`;
}
