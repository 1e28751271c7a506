// The built-in resource types, one file per family of API groups, plus the groups' versions and
// the subresource details discovery reports.
export { coreTypes } from "./core.js";
export { allVerbs, groupVersion, type TypeOptions } from "./define.js";
export { extensionTypes } from "./extensions.js";
export { builtinGroups, groupPreferredVersions, preferredVersionOf } from "./groups.js";
export { networkingTypes } from "./networking.js";
export { platformTypes } from "./platform.js";
export { storageVersionHashOf } from "./storage-version.js";
export { subresourcesOf } from "./subresources.js";
export type { SimApiGroup, SimResourceType, SimSubresource } from "./types.js";
export { workloadTypes } from "./workloads.js";
