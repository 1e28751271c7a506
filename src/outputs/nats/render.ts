import { type ChangeType, type StoredResource, toKubernetesResource } from "../../graph/index.js";
import type { ContentDedup } from "./content-dedup.js";
import { changeMessage } from "./wire.js";

/**
 * The KubernetesResource JSON text of a stored object for an event: what every message about an
 * object carries (the store reply's objects are ADDED, as Go's listStoreObjects parses them).
 */
export function resourceJson(resource: StoredResource, event: ChangeType): string {
  return JSON.stringify(toKubernetesResource(resource, { event }));
}

/** Bytes a change is counted as before it is encoded: its KubernetesResource is about twice its object. */
export function changeEstimate(resource: StoredResource): number {
  return resource.objectText.length * 2 + 1024;
}

/**
 * The message of one change, or undefined when content dedup finds the object unchanged since it was
 * last published. `skipped` counts those.
 */
export function renderChange(
  type: ChangeType,
  resource: StoredResource,
  dedup: ContentDedup | undefined,
  skipped: () => void,
): string | undefined {
  const json = resourceJson(resource, type);
  if (dedup !== undefined && !dedup.admit(resource.key, type === "DELETED", json)) {
    skipped();
    return undefined;
  }
  return changeMessage(type, json);
}
