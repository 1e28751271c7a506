// Which resource types to watch and which of their events to pass on, in MeshSync's terms: a
// whitelist of `<plural>.<version>.<group>` names each with its own events, or a blacklist of names.
// Without either, everything that can be listed and watched, minus Events (high churn, little
// value for a live picture) unless asked for. The API server serves every Event twice, as core
// events.v1. and as events.v1.events.k8s.io; asking for Events takes the core one, the name
// MeshSync uses, and the other only when a whitelist names it.
import { isRecord } from "./errors.js";
import type { ChangeEventType } from "./reflector.js";
import { type ResourceType, resourceTypeName } from "./types.js";

export interface WatchListEntry {
  /** e.g. "pods.v1.", "deployments.v1.apps" */
  Resource: string;
  Events: ChangeEventType[];
}

/** The plain config object the CLI's config layer fills (from a file, flags, or the MeshSync resource). */
export interface SelectionConfig {
  whitelist?: WatchListEntry[];
  blacklist?: string[];
  /** Watch Events (core events.v1.) even without a whitelist naming them. */
  includeEvents?: boolean;
}

const CORE_EVENTS = "events.v1.";
// The same objects as CORE_EVENTS under another group: watching both would hold each Event twice.
const EVENTS_AGAIN = "events.v1.events.k8s.io";
const CHANGE_EVENTS: readonly ChangeEventType[] = ["ADDED", "MODIFIED", "DELETED"];

export class SelectionError extends Error {
  override name = "SelectionError";
}

export class Selection {
  private readonly whitelist: Map<string, Set<ChangeEventType>> | undefined;
  private readonly blacklist: Set<string>;
  private readonly includeEvents: boolean;

  constructor(config: SelectionConfig = {}) {
    if (config.whitelist?.length && config.blacklist?.length) {
      throw new SelectionError("watch-list: set a whitelist or a blacklist, not both");
    }
    this.whitelist = config.whitelist?.length
      ? new Map(config.whitelist.map((entry) => [entry.Resource, new Set(entry.Events)]))
      : undefined;
    this.blacklist = new Set(config.blacklist ?? []);
    this.includeEvents = config.includeEvents ?? false;
  }

  includes(type: ResourceType): boolean {
    const name = resourceTypeName(type);
    if (this.whitelist) return this.whitelist.has(name);
    if (this.blacklist.has(name)) return false;
    if (name === EVENTS_AGAIN) return false;
    if (name === CORE_EVENTS) return this.includeEvents;
    return true;
  }

  /** Which change events of a type reach the graph. */
  forwards(type: ResourceType): (event: ChangeEventType) => boolean {
    const events = this.whitelist?.get(resourceTypeName(type));
    if (!events) return () => true;
    return (event) => events.has(event);
  }
}

/** Checks an untrusted value (a config file section) and returns it as a SelectionConfig. */
export function parseSelectionConfig(value: unknown, where = "selection"): SelectionConfig {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new SelectionError(`${where}: expected a mapping`);
  const config: SelectionConfig = {};
  if (value.whitelist !== undefined) config.whitelist = parseWhitelist(value.whitelist, `${where}.whitelist`);
  if (value.blacklist !== undefined) config.blacklist = parseBlacklist(value.blacklist, `${where}.blacklist`);
  if (value.includeEvents !== undefined) {
    if (typeof value.includeEvents !== "boolean")
      throw new SelectionError(`${where}.includeEvents: expected true or false`);
    config.includeEvents = value.includeEvents;
  }
  new Selection(config); // rejects whitelist and blacklist together
  return config;
}

/**
 * MeshSync's ConfigMap-shaped watch-list: `data.whitelist` / `data.blacklist` are JSON text.
 * Accepts the values already parsed, too.
 */
export function selectionFromWatchList(watchList: unknown, where = "watch-list"): SelectionConfig {
  if (!isRecord(watchList)) return {};
  const data = isRecord(watchList.data) ? watchList.data : watchList;
  const config: SelectionConfig = {};
  if (data.whitelist !== undefined && data.whitelist !== "") {
    config.whitelist = parseWhitelist(
      parseJsonText(data.whitelist, `${where}.whitelist`),
      `${where}.whitelist`,
    );
  }
  if (data.blacklist !== undefined && data.blacklist !== "") {
    config.blacklist = parseBlacklist(
      parseJsonText(data.blacklist, `${where}.blacklist`),
      `${where}.blacklist`,
    );
  }
  new Selection(config);
  return config;
}

function parseJsonText(value: unknown, where: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SelectionError(`${where}: not valid JSON`);
  }
}

function parseWhitelist(value: unknown, where: string): WatchListEntry[] {
  if (!Array.isArray(value)) throw new SelectionError(`${where}: expected a list of {Resource, Events}`);
  return value.map((entry, index) => {
    if (!isRecord(entry) || typeof entry.Resource !== "string" || entry.Resource === "") {
      throw new SelectionError(
        `${where}[${index}]: expected {"Resource": "<plural>.<version>.<group>", "Events": [...]}`,
      );
    }
    checkTypeName(entry.Resource, `${where}[${index}].Resource`);
    const events = entry.Events === undefined ? [...CHANGE_EVENTS] : entry.Events;
    if (!Array.isArray(events) || !events.every(isChangeEvent)) {
      throw new SelectionError(`${where}[${index}].Events: expected a list of ADDED, MODIFIED, DELETED`);
    }
    return { Resource: entry.Resource, Events: events };
  });
}

function parseBlacklist(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((name) => typeof name === "string")) {
    throw new SelectionError(`${where}: expected a list of type names`);
  }
  for (const [index, name] of value.entries()) checkTypeName(name, `${where}[${index}]`);
  return value;
}

/** `<plural>.<version>.<group>`: two dots at least, the group possibly empty (core). */
function checkTypeName(name: string, where: string): void {
  const [plural, version] = name.split(".");
  if (!plural || !version || name.split(".").length < 3) {
    throw new SelectionError(
      `${where}: "${name}" is not <plural>.<version>.<group> (core group: "pods.v1.")`,
    );
  }
}

function isChangeEvent(value: unknown): value is ChangeEventType {
  return typeof value === "string" && (CHANGE_EVENTS as readonly string[]).includes(value);
}
