// The resource types the simulator serves, as a real kube-apiserver announces them in discovery.
import { coreTypes } from "./catalog/core.js";
import { extensionTypes } from "./catalog/extensions.js";
import { networkingTypes } from "./catalog/networking.js";
import { platformTypes } from "./catalog/platform.js";
import type { SimResourceType } from "./catalog/types.js";
import { workloadTypes } from "./catalog/workloads.js";

export { allVerbs } from "./catalog/define.js";
export { builtinGroups, groupPreferredVersions, preferredVersionOf } from "./catalog/groups.js";
export { subresourcesOf } from "./catalog/subresources.js";
export type { SimApiGroup, SimResourceType, SimSubresource } from "./catalog/types.js";

export const builtinResourceTypes: readonly SimResourceType[] = [
  ...coreTypes,
  ...workloadTypes,
  ...networkingTypes,
  ...platformTypes,
  ...extensionTypes,
];

/** The types of one group/version, in the order discovery lists them (by name). */
export function resourceTypesOf(group: string, version: string): SimResourceType[] {
  return builtinResourceTypes
    .filter((type) => type.group === group && type.version === version)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Finds a built-in type by group, version and plural name. */
export function findResourceType(group: string, version: string, name: string): SimResourceType | undefined {
  return builtinResourceTypes.find(
    (type) => type.group === group && type.version === version && type.name === name,
  );
}
