import {
  type ChangeType,
  mapTextLength,
  type StoredResource,
  toKubernetesResource,
} from "../../graph/index.js";
import type { ContentDedup } from "./content-dedup.js";
import { changeMessage } from "./wire.js";

/**
 * The KubernetesResource JSON text of a stored object for an event: what every message about an
 * object carries (the store reply's objects are ADDED, as Go's listStoreObjects parses them).
 */
export function resourceJson(resource: StoredResource, event: ChangeType): string {
  return JSON.stringify(toKubernetesResource(resource, { event }));
}

/**
 * Bytes a change is counted as before it is encoded: its KubernetesResource is about twice its object.
 * Told from the lengths the graph keeps, so that no packed text is inflated only to be measured.
 */
export function changeEstimate(resource: StoredResource): number {
  const objectLength =
    resource.textLength +
    mapTextLength(resource.labels) +
    mapTextLength(resource.annotations) +
    resource.ownerReferences.length * ownerReferenceLength;
  return objectLength * 2 + 1024;
}

/** About what one owner reference takes as JSON (apiVersion, kind, name, a uid, two flags). */
const ownerReferenceLength = 200;

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
