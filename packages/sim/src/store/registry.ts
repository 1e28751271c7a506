// The resource types the server serves right now: the built-in catalog plus the types that
// CustomResourceDefinitions add while it runs.
import { builtinGroups, builtinResourceTypes, type SimResourceType } from "../catalog.js";

export interface ServedGroup {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
  preferredVersion: string;
}

/** Listeners learn when a type stops being served, so its open watches can end. */
export type TypeRemovedListener = (type: SimResourceType) => void;

export class TypeRegistry {
  private readonly types = new Map<string, SimResourceType>();
  private readonly customGroups = new Map<string, ServedGroup>();
  private readonly removedListeners = new Set<TypeRemovedListener>();

  constructor(builtin: readonly SimResourceType[] = builtinResourceTypes) {
    for (const type of builtin) this.types.set(typeKey(type.group, type.version, type.name), type);
  }

  find(group: string, version: string, resource: string): SimResourceType | undefined {
    return this.types.get(typeKey(group, version, resource));
  }

  /** The type an object's apiVersion and kind name. */
  findByKind(group: string, version: string, kind: string): SimResourceType | undefined {
    for (const type of this.types.values()) {
      if (
        type.group === group &&
        type.version === version &&
        type.kind === kind &&
        type.verbs.includes("create")
      ) {
        return type;
      }
    }
    return undefined;
  }

  /** All served types of one group/version, sorted by name as discovery lists them. */
  ofGroupVersion(group: string, version: string): SimResourceType[] {
    return [...this.types.values()]
      .filter((type) => type.group === group && type.version === version)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  all(): SimResourceType[] {
    return [...this.types.values()];
  }

  /** The named groups in /apis order: built-in first (as a real server lists them), then custom. */
  groups(): ServedGroup[] {
    const served: ServedGroup[] = [];
    for (const group of builtinGroups) {
      const versions = group.versions.filter(
        (version) => this.ofGroupVersion(group.name, version).length > 0,
      );
      if (versions.length === 0) continue;
      const preferredVersion = versions.includes(group.preferredVersion)
        ? group.preferredVersion
        : versions[0]!;
      served.push({ name: group.name, versions, preferredVersion });
    }
    return [...served, ...[...this.customGroups.values()].sort((a, b) => a.name.localeCompare(b.name))];
  }

  group(name: string): ServedGroup | undefined {
    return this.groups().find((group) => group.name === name);
  }

  /** Adds (or replaces) the types of one custom resource, one per served version. */
  addCustom(types: SimResourceType[], versionsInPriorityOrder: string[]): void {
    const first = types[0];
    if (!first) return;
    const keep = new Set(types.map((type) => type.version));
    for (const [key, type] of this.types) {
      if (type.group !== first.group || type.name !== first.name || keep.has(type.version)) continue;
      this.types.delete(key);
      for (const listener of this.removedListeners) listener(type);
    }
    for (const type of types) this.types.set(typeKey(type.group, type.version, type.name), type);
    this.rebuildCustomGroup(first.group, versionsInPriorityOrder);
  }

  removeCustom(group: string, resource: string): void {
    for (const [key, type] of this.types) {
      if (type.group !== group || type.name !== resource) continue;
      this.types.delete(key);
      for (const listener of this.removedListeners) listener(type);
    }
    this.rebuildCustomGroup(group, []);
  }

  onTypeRemoved(listener: TypeRemovedListener): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  private rebuildCustomGroup(group: string, preferredOrder: string[]): void {
    if (builtinGroups.some((builtin) => builtin.name === group)) return;
    const versions = [
      ...new Set([...this.types.values()].filter((t) => t.group === group).map((t) => t.version)),
    ];
    if (versions.length === 0) {
      this.customGroups.delete(group);
      return;
    }
    const known = this.customGroups.get(group)?.versions ?? [];
    const order = [...preferredOrder, ...known];
    versions.sort((a, b) => rank(order, a) - rank(order, b) || compareKubeVersions(a, b));
    this.customGroups.set(group, { name: group, versions, preferredVersion: versions[0]! });
  }
}

function rank(order: string[], version: string): number {
  const index = order.indexOf(version);
  return index < 0 ? order.length : index;
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (version: string): [number, number, number] => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
    if (!match) return [3, 0, 0];
    const stability = match[2] === "alpha" ? 2 : match[2] === "beta" ? 1 : 0;
    return [stability, -Number(match[1]), -Number(match[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sa - sb || ma - mb || na - nb || a.localeCompare(b);
}

export function typeKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

/**
 * Objects are stored once per group and resource, whatever version they are read through; and
 * events.k8s.io's Events are the core Events, as in a real server.
 */
export function storageKey(group: string, resource: string): string {
  if (group === "events.k8s.io" && resource === "events") return "/events";
  return `${group}/${resource}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
