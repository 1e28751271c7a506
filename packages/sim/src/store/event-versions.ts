// core/v1 Events and events.k8s.io/v1 Events are one storage in a real server: the same objects,
// kept in the core form and converted field by field for the events.k8s.io API, as the server's
// conversion functions map them.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "./object-meta.js";

/** Whether a served type is events.k8s.io's view of the core Events. */
export function isEventsApiType(type: { group: string; name: string }): boolean {
  return type.group === "events.k8s.io" && type.name === "events";
}

// [core field, events.k8s.io field], in the order the events.k8s.io form lists its fields.
const renamed: readonly (readonly [string, string])[] = [
  ["eventTime", "eventTime"],
  ["series", "series"],
  ["reportingComponent", "reportingController"],
  ["reportingInstance", "reportingInstance"],
  ["action", "action"],
  ["reason", "reason"],
  ["involvedObject", "regarding"],
  ["related", "related"],
  ["message", "note"],
  ["type", "type"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
];

/** A stored (core) Event as events.k8s.io/<version> shows it. */
export function toEventsApi(core: KubeObject, apiVersion: string): KubeObject {
  const out: KubeObject = { kind: "Event", apiVersion, metadata: core.metadata };
  for (const [from, to] of renamed) {
    const value = core[from];
    if (value === undefined || value === "" || isEmptyObject(value)) continue;
    out[to] = value;
  }
  // The events.k8s.io form always has an eventTime, null when the core Event has none.
  if (out.eventTime === undefined) out.eventTime = null;
  return out;
}

/** An events.k8s.io Event in the core form it is stored in. */
export function toCoreEvent(event: KubeObject): KubeObject {
  const out: KubeObject = { kind: "Event", apiVersion: "v1" };
  if (event.metadata !== undefined) out.metadata = event.metadata;
  for (const [to, from] of renamed) {
    const value = event[from];
    if (value !== undefined) out[to] = value;
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}
