// Which resource types a cluster serves: the legacy core group (/api) and every named group (/apis)
// at its preferred version, keeping what can be both listed and watched. A group whose discovery
// fails (an aggregated API that is down answers 503) is reported apart, so a refresh can keep the
// types it already had for that group instead of dropping them.
import { errorText, isRecord } from "./errors.js";
import type { KubeRequester } from "./http-client.js";
import type { ResourceType } from "./types.js";

export interface DiscoveryResult {
  types: ResourceType[];
  /** groupVersions ("metrics.k8s.io/v1beta1") whose resource list could not be read. */
  failed: { groupVersion: string; error: string }[];
}

export async function discoverResourceTypes(
  client: KubeRequester,
  signal?: AbortSignal,
): Promise<DiscoveryResult> {
  const groupVersions: { group: string; version: string }[] = [];

  const core = await client.getJson("/api", {}, signal);
  for (const version of stringArray(isRecord(core) ? core.versions : undefined)) {
    groupVersions.push({ group: "", version });
  }
  const groups = await client.getJson("/apis", {}, signal);
  for (const group of recordArray(isRecord(groups) ? groups.groups : undefined)) {
    const name = typeof group.name === "string" ? group.name : "";
    const version = preferredVersion(group);
    if (name !== "" && version !== undefined) groupVersions.push({ group: name, version });
  }

  const result: DiscoveryResult = { types: [], failed: [] };
  const lists = await Promise.all(
    groupVersions.map(async ({ group, version }) => {
      const groupVersion = group === "" ? version : `${group}/${version}`;
      const path = group === "" ? `/api/${version}` : `/apis/${groupVersion}`;
      try {
        return { group, version, list: await client.getJson(path, {}, signal) };
      } catch (error) {
        result.failed.push({ groupVersion, error: errorText(error) });
        return undefined;
      }
    }),
  );
  for (const entry of lists) {
    if (entry) result.types.push(...resourceTypesOf(entry.group, entry.version, entry.list));
  }
  return result;
}

/** The list+watch types of one APIResourceList, subresources ("pods/log") left out. */
export function resourceTypesOf(group: string, version: string, list: unknown): ResourceType[] {
  const types: ResourceType[] = [];
  for (const resource of recordArray(isRecord(list) ? list.resources : undefined)) {
    const name = resource.name;
    const kind = resource.kind;
    if (typeof name !== "string" || name === "" || name.includes("/")) continue;
    if (typeof kind !== "string" || kind === "") continue;
    const verbs = stringArray(resource.verbs);
    if (!verbs.includes("list") || !verbs.includes("watch")) continue;
    const type: ResourceType = {
      group,
      version,
      resource: name,
      kind,
      namespaced: resource.namespaced === true,
      verbs,
    };
    if (typeof resource.singularName === "string" && resource.singularName !== "")
      type.singularName = resource.singularName;
    const shortNames = stringArray(resource.shortNames);
    if (shortNames.length > 0) type.shortNames = shortNames;
    types.push(type);
  }
  return types;
}

function preferredVersion(group: Record<string, unknown>): string | undefined {
  const preferred = isRecord(group.preferredVersion) ? group.preferredVersion.version : undefined;
  if (typeof preferred === "string" && preferred !== "") return preferred;
  const first = recordArray(group.versions)[0]?.version;
  return typeof first === "string" && first !== "" ? first : undefined;
}

function recordArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
