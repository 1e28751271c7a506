// Narrowing helpers for reading plain JSON objects, and the few field rules the churn needs.

export { child, type Json, record, records, text } from "../../json.js";

export function labelsMatch(
  selector: Record<string, unknown>,
  labels: Record<string, string> | undefined,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** Microsecond-precision time, as Lease renewTime is written. */
export function microTime(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
