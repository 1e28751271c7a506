// Decoding of the watch wire format (one JSON event per line) and the checks an object must pass
// before it may reach the graph. Anything that fails is described, so the caller can log and skip it.
import { isRecord } from "./errors.js";
import type { KubeObject } from "./types.js";
import { decodeEventLine, type ObjectDefaults } from "./wire-object.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

const EVENT_TYPES = new Set<string>(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);
const SNIPPET_LENGTH = 120;

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * One watch line, checked. With `defaults` (the type's kind and apiVersion), the event's object is
 * decoded as list items are (wire-object.ts): without managedFields, its storable text kept.
 */
export function decodeWatchLine(line: string, defaults?: ObjectDefaults): Decoded<WatchEvent> {
  let parsed: unknown;
  try {
    parsed = defaults === undefined ? JSON.parse(line) : decodeEventLineOrParse(line, defaults);
  } catch {
    return { ok: false, problem: `watch line is not JSON: ${snippet(line)}` };
  }
  if (!isRecord(parsed) || typeof parsed.type !== "string" || !EVENT_TYPES.has(parsed.type)) {
    return { ok: false, problem: `watch line is not a watch event: ${snippet(line)}` };
  }
  if (!isRecord(parsed.object)) {
    return { ok: false, problem: `watch event ${parsed.type} has no object` };
  }
  const event: WatchEvent = { type: parsed.type as WatchEventType, object: parsed.object as KubeObject };
  const problem = eventProblem(event);
  return problem === undefined ? { ok: true, value: event } : { ok: false, problem };
}

/** The decoder's reading, or JSON.parse's when the decoder cannot cut the line (which then says why). */
function decodeEventLineOrParse(line: string, defaults: ObjectDefaults): unknown {
  try {
    return decodeEventLine(line, defaults);
  } catch {
    return JSON.parse(line);
  }
}

function eventProblem(event: WatchEvent): string | undefined {
  if (event.type === "ERROR") return undefined; // a Status, not an object
  if (event.type === "BOOKMARK") {
    return typeof event.object.metadata?.resourceVersion === "string"
      ? undefined
      : "BOOKMARK event without metadata.resourceVersion";
  }
  const problem = objectProblem(event.object);
  return problem === undefined ? undefined : `${event.type} event: ${problem}`;
}

/** Why an object cannot be stored (the graph keys by uid and names it by namespace/name), if it cannot. */
export function objectProblem(object: unknown): string | undefined {
  if (!isRecord(object)) return "object is not a JSON object";
  const metadata = object.metadata;
  if (!isRecord(metadata)) return `object without metadata (kind ${String(object.kind ?? "unknown")})`;
  if (typeof metadata.uid !== "string" || metadata.uid === "") {
    return `object without metadata.uid (name ${String(metadata.name ?? "unknown")})`;
  }
  if (typeof metadata.name !== "string" || metadata.name === "") {
    return `object without metadata.name (uid ${metadata.uid})`;
  }
  return undefined;
}

function snippet(text: string): string {
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}… (${text.length} chars)` : text;
}
