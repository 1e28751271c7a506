// The resource types the simulator serves, as a real kube-apiserver announces them in discovery.
import {
  coreTypes,
  extensionTypes,
  networkingTypes,
  platformTypes,
  type SimResourceType,
  workloadTypes,
} from "./catalog/index.js";

export {
  allVerbs,
  builtinGroups,
  groupPreferredVersions,
  preferredVersionOf,
  type SimApiGroup,
  type SimResourceType,
  type SimSubresource,
  storageVersionHashOf,
  subresourcesOf,
} from "./catalog/index.js";

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
