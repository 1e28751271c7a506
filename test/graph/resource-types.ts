import type { ResourceType } from "../../src/kube/types.js";

/** A resource type as discovery would describe it, for tests that feed the graph directly. */
export function resourceType(
  resource: string,
  kind: string,
  options: Partial<ResourceType> = {},
): ResourceType {
  return { group: "", version: "v1", resource, kind, namespaced: true, verbs: ["list", "watch"], ...options };
}
