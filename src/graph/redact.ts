import type { KubeObject } from "../kube/index.js";

/** `kubectl apply` keeps the whole applied object here, so for a Secret it holds the data in clear. */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function blankValues(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).map((k) => [k, ""]));
}

/** A Secret's data and stringData with every value blanked; the keys stay, so clients see the shape. */
export function redactSecretBody(object: KubeObject): KubeObject {
  const out: KubeObject = { ...object };
  if ("data" in out) out.data = blankValues(out.data);
  if ("stringData" in out) out.stringData = blankValues(out.stringData);
  return out;
}

/**
 * A Secret's annotations with the copy of its data that `kubectl apply` left there blanked too; an
 * annotation that cannot be read as an object is dropped rather than passed on unread.
 */
export function redactSecretAnnotations(annotations: unknown): unknown {
  if (annotations === null || typeof annotations !== "object" || Array.isArray(annotations))
    return annotations;
  const record = annotations as Record<string, unknown>;
  const applied = record[LAST_APPLIED];
  if (applied === undefined) return annotations;
  const { [LAST_APPLIED]: _secret, ...others } = record;
  if (typeof applied !== "string") return others;
  try {
    const parsed: unknown = JSON.parse(applied);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return others;
    return { ...others, [LAST_APPLIED]: JSON.stringify(redactSecretBody(parsed as KubeObject)) };
  } catch {
    return others;
  }
}
