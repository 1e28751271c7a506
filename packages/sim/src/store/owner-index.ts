// Which objects name which owner, kept up to date from every stored change, so deleting an owner
// finds its dependents without scanning the cluster (the garbage collector's graph).
import type { KubeObject } from "../object-api.js";
import type { StoredChange } from "./history.js";

export interface DependentRef {
  storageKey: string;
  namespace: string | undefined;
  name: string;
}

export class OwnerIndex {
  private readonly dependents = new Map<string, Map<string, DependentRef>>();

  apply(change: StoredChange): void {
    if (change.previous) this.remove(change.storageKey, change.previous);
    if (change.type === "DELETED") this.remove(change.storageKey, change.object);
    else this.add(change.storageKey, change.object);
  }

  of(ownerUid: string): DependentRef[] {
    return [...(this.dependents.get(ownerUid)?.values() ?? [])];
  }

  private add(storageKey: string, obj: KubeObject): void {
    for (const uid of ownerUids(obj)) {
      let refs = this.dependents.get(uid);
      if (!refs) {
        refs = new Map();
        this.dependents.set(uid, refs);
      }
      const ref: DependentRef = {
        storageKey,
        namespace: obj.metadata?.namespace,
        name: obj.metadata?.name ?? "",
      };
      refs.set(refKey(ref), ref);
    }
  }

  private remove(storageKey: string, obj: KubeObject): void {
    const key = refKey({ storageKey, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" });
    for (const uid of ownerUids(obj)) {
      const refs = this.dependents.get(uid);
      refs?.delete(key);
      if (refs?.size === 0) this.dependents.delete(uid);
    }
  }
}

function ownerUids(obj: KubeObject): string[] {
  const refs = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.map((ref) => ref?.uid).filter((uid): uid is string => typeof uid === "string" && uid !== "");
}

function refKey(ref: DependentRef): string {
  return `${ref.storageKey}|${ref.namespace ?? ""}|${ref.name}`;
}
