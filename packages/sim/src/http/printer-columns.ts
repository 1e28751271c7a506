// How a printer column is made, and the helpers the printers of every kind share: the Table form's
// column definitions, and the value readers behind their cells.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";

export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
  value(obj: KubeObject, now: number): unknown;
}

export const field = (value: unknown, ...path: string[]): unknown => {
  let current = value;
  for (const part of path) current = isPlainObject(current) ? current[part] : undefined;
  return current;
};
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const num = (value: unknown): number => (typeof value === "number" ? value : 0);
export const str = (value: unknown, fallback = "<none>"): string =>
  typeof value === "string" && value !== "" ? value : fallback;

export const nameColumn: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "The name of the object, unique within its namespace.",
  priority: 0,
  value: (obj) => obj.metadata?.name ?? "",
};

export const ageColumn: TableColumn = {
  name: "Age",
  type: "string",
  format: "",
  description: "How long ago the server created the object.",
  priority: 0,
  value: (obj, now) => age(obj.metadata?.creationTimestamp, now),
};

export function column(
  name: string,
  value: TableColumn["value"],
  priority = 0,
  type: TableColumn["type"] = "string",
): TableColumn {
  return { name, type, format: "", description: name, priority, value };
}

export function containersOf(template: unknown): { names: string; images: string } {
  const containers = list(field(template, "spec", "containers"));
  return {
    names: containers.map((container) => str(field(container, "name"), "")).join(","),
    images: containers.map((container) => str(field(container, "image"), "")).join(","),
  };
}

export function selectorText(selector: unknown): string {
  const labels = field(selector, "matchLabels");
  if (!isPlainObject(labels)) return "<none>";
  const text = Object.entries(labels)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(",");
  return text || "<none>";
}

export const createdAt: TableColumn = {
  ...column("Created At", (obj) => obj.metadata?.creationTimestamp ?? ""),
  type: "date",
};

export const joined = (values: unknown[], fallback = "<none>") => {
  const text = values.filter((value) => value !== "" && value !== undefined).join(",");
  return text || fallback;
};

/** Kubernetes' short human durations ("45s", "5m3s", "3h", "12d"), as kubectl's AGE shows. */
export function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== "string") return "<unknown>";
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return "<unknown>";
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
