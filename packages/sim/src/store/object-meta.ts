// Checks and defaults for metadata that the real API server applies to every object on write.
import { randomUUID } from "node:crypto";
import {
  dns1123LabelFormat,
  dns1123SubdomainFormat,
  dns1123SubdomainMaxLength,
  isDNS1123Label,
  isDNS1123Subdomain,
} from "@meshsync/k8s";
import type { KubeObject, ObjectMeta } from "../object-api.js";
import { badRequest, invalid } from "./status-error.js";

// Groups whose objects must have DNS-1123 subdomain names (namespaces: labels).
const dnsNamedGroups = new Set([
  "",
  "apps",
  "batch",
  "networking.k8s.io",
  "discovery.k8s.io",
  "policy",
  "autoscaling",
]);
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

export function nowTimestamp(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

export function generatedName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[Math.floor(Math.random() * suffixAlphabet.length)];
  return `${prefix}${suffix}`;
}

export function metadataOf(obj: KubeObject): ObjectMeta {
  if (obj.metadata === undefined) obj.metadata = {};
  if (typeof obj.metadata !== "object" || obj.metadata === null || Array.isArray(obj.metadata)) {
    throw badRequest("metadata must be an object");
  }
  return obj.metadata;
}

/** Fails the way the real server does for names it would not accept. */
export function validateName(kind: string, group: string, meta: ObjectMeta, isNamespace: boolean): void {
  const name = meta.name;
  if (name === undefined || name === "") {
    throw invalid(kind, group, "", [
      {
        reason: "FieldValueRequired",
        message: "Required value: name or generateName is required",
        field: "metadata.name",
      },
    ]);
  }
  if (typeof name !== "string") throw badRequest("metadata.name must be a string");
  // Most groups only ask that a name fit in a URL path segment (RBAC's "system:node" names, say).
  if (!dnsNamedGroups.has(group)) {
    const bad =
      name === "." || name === ".."
        ? `may not be '${name}'`
        : /[/%]/.test(name)
          ? `may not contain '${name.includes("/") ? "/" : "%"}'`
          : "";
    if (bad) {
      throw invalid(kind, group, name, [
        { reason: "FieldValueInvalid", message: `Invalid value: "${name}": ${bad}`, field: "metadata.name" },
      ]);
    }
    checkStringMaps(meta);
    checkLabels(kind, group, name, meta);
    return;
  }
  if (!(isNamespace ? isDNS1123Label(name) : isDNS1123Subdomain(name))) {
    // The double space after 'my-name', is apimachinery's RegexError, kept so messages match byte for byte.
    const what = isNamespace
      ? `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelFormat}')`
      : `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainFormat}')`;
    throw invalid(kind, group, name, [
      { reason: "FieldValueInvalid", message: `Invalid value: "${name}": ${what}`, field: "metadata.name" },
    ]);
  }
  checkStringMaps(meta);
  checkLabels(kind, group, name, meta);
}

const qualifiedName = new RegExp(`^(${dns1123SubdomainFormat}\\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`);
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Label keys and values as the real server validates them (422 with one cause per bad entry). */
function checkLabels(kind: string, group: string, name: string, meta: ObjectMeta): void {
  const causes: { reason: string; message: string; field: string }[] = [];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    const prefix = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
    const local = key.includes("/") ? key.slice(key.indexOf("/") + 1) : key;
    if (!qualifiedName.test(key) || local.length > 63 || prefix.length > dns1123SubdomainMaxLength) {
      causes.push({
        reason: "FieldValueInvalid",
        message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        field: "metadata.labels",
      });
    }
    if (!labelValue.test(value) || value.length > 63) {
      causes.push({
        reason: "FieldValueInvalid",
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        field: "metadata.labels",
      });
    }
  }
  if (causes.length > 0) throw invalid(kind, group, name, causes);
}

function checkStringMaps(meta: ObjectMeta): void {
  for (const field of ["labels", "annotations"] as const) {
    const map = meta[field];
    if (map === undefined || map === null) continue;
    if (
      typeof map !== "object" ||
      Array.isArray(map) ||
      Object.values(map).some((v) => typeof v !== "string")
    ) {
      throw badRequest(`metadata.${field} must map strings to strings`);
    }
  }
}

/** Server-owned fields of a new object: uid, creationTimestamp, generation. */
export function fillCreateDefaults(meta: ObjectMeta, fromClient: boolean): void {
  // A client cannot choose these; a scenario being loaded keeps its own for reproducibility.
  if (fromClient) {
    delete meta.uid;
    delete meta.creationTimestamp;
    delete meta.generation;
    delete meta.selfLink;
  }
  if (!meta.uid) meta.uid = randomUUID();
  if (!meta.creationTimestamp) meta.creationTimestamp = nowTimestamp();
  if (meta.generation === undefined) meta.generation = 1;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
}

/** Plain-JSON deep equality, for telling a real change from a no-op write. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  return leftKeys.length === rightKeys.length && leftKeys.every((key) => sameJson(left[key], right[key]));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
