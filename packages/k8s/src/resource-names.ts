// How resource types and API versions are named, the one way both sides spell them.

/** A resource type as far as its name goes: group ("" for the core group), version, plural. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** `<plural>.<version>.<group>`, as MeshSync names resource types (`pods.v1.`, `deployments.v1.apps`). */
export function resourceTypeName(type: GroupVersionResource): string {
  return `${type.resource}.${type.version}.${type.group}`;
}

/** `v1` for the core group, `<group>/<version>` for the others. */
export function apiVersionOf(type: Pick<GroupVersionResource, "group" | "version">): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/** The group of an apiVersion: "" for `v1`, `apps` for `apps/v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
