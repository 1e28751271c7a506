import { createHash } from "node:crypto";
import type { SimResourceType } from "./types.js";

/**
 * Where a type is kept in another version (or group) than the one served, as the real server's
 * storage configuration has it. The hash discovery reports names the storage version.
 */
const storedAs: Record<string, string> = {
  "apiextensions.k8s.io/customresourcedefinitions": "apiextensions.k8s.io/v1beta1",
  "autoscaling/horizontalpodautoscalers": "autoscaling/v2",
  "certificates.k8s.io/podcertificaterequests": "certificates.k8s.io/v1beta1",
  "discovery.k8s.io/endpointslices": "discovery.k8s.io/v1beta1",
  "events.k8s.io/events": "/v1",
  "flowcontrol.apiserver.k8s.io/flowschemas": "flowcontrol.apiserver.k8s.io/v1beta3",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations": "flowcontrol.apiserver.k8s.io/v1beta3",
};

/** Whether objects of the type are stored at all: reviews and bindings only answer a create. */
function isStored(type: SimResourceType): boolean {
  return type.verbs.includes("list") && !(type.group === "" && type.name === "componentstatuses");
}

/**
 * The storageVersionHash discovery shows for a type: the first 8 bytes of the SHA-256 of
 * "group/version/Kind" of its storage version, base64-encoded. Undefined for types never stored.
 */
export function storageVersionHashOf(type: SimResourceType): string | undefined {
  if (!isStored(type)) return undefined;
  const groupVersion = storedAs[`${type.group}/${type.name}`] ?? `${type.group}/${type.version}`;
  const digest = createHash("sha256").update(`${groupVersion}/${type.kind}`).digest();
  return digest.subarray(0, 8).toString("base64");
}
