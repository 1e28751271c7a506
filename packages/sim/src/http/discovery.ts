// Discovery documents: /api, /api/v1, /apis, /apis/G, /apis/G/V, and the aggregated form (v2)
// that kubectl asks for first.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type SimResourceType, subresourcesOf } from "../catalog.js";
import type { ServedGroup, TypeRegistry } from "../store/registry.js";
import { pathNotFound } from "../store/status-error.js";

export type AggregatedVersion = "v2" | "v2beta1";

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** The aggregated discovery version the client accepts (v2 first, as the server prefers), if any. */
export function wantsAggregated(req: IncomingMessage): AggregatedVersion | undefined {
  const parts = (req.headers.accept ?? "")
    .split(",")
    .filter((part) => /g=apidiscovery\.k8s\.io/.test(part) && /as=APIGroupDiscoveryList/.test(part));
  if (parts.some((part) => /v=v2(;|$|\s)/.test(part))) return "v2";
  if (parts.some((part) => /v=v2beta1(;|$|\s)/.test(part))) return "v2beta1";
  return undefined;
}

export function legacyVersions(hostHeader: string | undefined): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: hostHeader ?? "127.0.0.1" }],
  };
}

function groupVersionRef(group: string, version: string) {
  return { groupVersion: `${group}/${version}`, version };
}

function apiGroup(group: ServedGroup) {
  return {
    name: group.name,
    versions: group.versions.map((version) => groupVersionRef(group.name, version)),
    preferredVersion: groupVersionRef(group.name, group.preferredVersion),
  };
}

export function groupList(registry: TypeRegistry): unknown {
  return { kind: "APIGroupList", apiVersion: "v1", groups: registry.groups().map(apiGroup) };
}

export function groupDocument(registry: TypeRegistry, name: string): unknown {
  const group = registry.group(name);
  if (!group) throw pathNotFound();
  return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group) };
}

export function resourceList(registry: TypeRegistry, group: string, version: string): unknown {
  const types = registry.ofGroupVersion(group, version);
  if (types.length === 0) throw pathNotFound();
  const resources: Record<string, unknown>[] = [];
  for (const type of types) {
    const entry: Record<string, unknown> = {
      name: type.name,
      singularName: type.singularName,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
    };
    if (type.shortNames) entry.shortNames = type.shortNames;
    if (type.categories) entry.categories = type.categories;
    entry.storageVersionHash = storageVersionHash(type);
    resources.push(entry);
    for (const sub of subresourcesOf(type)) {
      const subEntry: Record<string, unknown> = {
        name: `${type.name}/${sub.name}`,
        singularName: "",
        namespaced: type.namespaced,
      };
      if (sub.group !== undefined) subEntry.group = sub.group;
      if (sub.version !== undefined) subEntry.version = sub.version;
      subEntry.kind = sub.kind;
      subEntry.verbs = sub.verbs;
      resources.push(subEntry);
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** The aggregated document for /api (core only) or /apis (every named group). */
export function aggregatedList(
  registry: TypeRegistry,
  legacy: boolean,
  version: AggregatedVersion = "v2",
): unknown {
  const groups: { name: string; versions: string[] }[] = legacy
    ? [{ name: "", versions: ["v1"] }]
    : registry.groups().map((group) => ({ name: group.name, versions: group.versions }));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group.name },
      versions: group.versions.map((version) => ({
        version,
        resources: registry.ofGroupVersion(group.name, version).map(aggregatedResource),
        freshness: "Current",
      })),
    })),
  };
}

function aggregatedResource(type: SimResourceType): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: type.name,
    responseKind: { group: "", version: "", kind: type.kind },
    scope: type.namespaced ? "Namespaced" : "Cluster",
    singularResource: type.singularName,
    verbs: type.verbs,
  };
  if (type.shortNames) entry.shortNames = type.shortNames;
  if (type.categories) entry.categories = type.categories;
  const subresources = subresourcesOf(type);
  if (subresources.length > 0) {
    entry.subresources = subresources.map((sub) => ({
      subresource: sub.name,
      responseKind: { group: sub.group ?? "", version: sub.version ?? "", kind: sub.kind },
      verbs: sub.verbs,
    }));
  }
  return entry;
}

function storageVersionHash(type: SimResourceType): string {
  const digest = createHash("sha256").update(`${type.group}/${type.version}/${type.kind}`).digest();
  return digest.subarray(0, 8).toString("base64");
}
