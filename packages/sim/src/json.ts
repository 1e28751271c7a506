// Narrowing helpers for reading plain JSON objects without casting at every step.

export type Json = Record<string, unknown>;

export function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** The object at parent[key], created when missing, so it can be written into. */
export function child(parent: Json, key: string): Json {
  const existing = parent[key];
  if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) return existing as Json;
  const created: Json = {};
  parent[key] = created;
  return created;
}

export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
