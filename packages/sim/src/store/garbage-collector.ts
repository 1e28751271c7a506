// The garbage collector's part of a delete: dependents whose only owner is gone are deleted in
// turn (or, when orphaned, lose the reference); ones with other owners just lose this one.
import { metadataOf } from "./object-meta.js";
import type { ObjectStore } from "./object-store.js";
import type { OwnerIndex } from "./owner-index.js";
import { storageKey } from "./registry.js";

export function collectDependents(
  store: ObjectStore,
  owners: OwnerIndex,
  ownerUid: string,
  policy: string,
): void {
  if (!ownerUid) return;
  for (const ref of owners.of(ownerUid)) {
    const type = store
      .storageTypes()
      .find((candidate) => storageKey(candidate.group, candidate.name) === ref.storageKey);
    const dependent = type ? store.getStored(type, ref.namespace, ref.name) : undefined;
    if (!type || !dependent) continue;
    const references = dependent.metadata?.ownerReferences ?? [];
    if (!references.some((owner) => owner?.uid === ownerUid)) continue;
    const remaining = references.filter((owner) => owner?.uid !== ownerUid);
    if (policy === "Orphan" || remaining.length > 0) {
      store.rewrite(type, ref.namespace, ref.name, (obj) => {
        const meta = metadataOf(obj);
        if (remaining.length > 0) meta.ownerReferences = remaining;
        else delete meta.ownerReferences;
      });
    } else {
      store.deleteObject(type, ref.namespace, ref.name, {}, { propagationPolicy: policy });
    }
  }
}
