// The MeshSync broker messages, byte for byte as Go MeshSync's meshkit marshals them: broker.Message
// is a struct without JSON tags, so every message carries the four capitalised keys in declaration
// order, an unset string as "" and an unset Request as null (meshkit broker/messaging.go,
// broker/nats/nats.go Publish: json.Marshal(message)). The objects inside use the json tags of
// meshsync pkg/model (log.go, exec.go: every field omitempty).

import type { ChangeType } from "../../graph/index.js";

/** Where changes go (meshsync internal/config DefaultPublishingSubject). */
export const coreSubject = "meshery.meshsync.core";
/** Where requests come from, and the queue group that shares them among replicas (config Listeners). */
export const requestSubject = "meshery.meshsync.request";
export const requestQueueGroup = "meshsync-request-stream";
/** Where log chunks go (the log-stream listener's PublishTo). */
export const logsSubject = "meshery.meshsync.logs";
/** Where the version goes (meshsync/handlers.go publishMeshSyncMeta). */
export const metaSubject = "meshsync-meta";
/** Where the list of running sessions goes (meshsync/exec.go). */
export const activeSessionsSubject = "active_sessions.exec";

export type ObjectType =
  | "meshsync-data"
  | "request-payload"
  | "log-stream"
  | "error"
  | "exec-input"
  | "exec-output"
  | "active-exec"
  | "";
export type EventType = ChangeType | "ERROR" | "RESYNC" | "";

/** The text of a broker.Message whose Object is already JSON text. */
export function envelope(objectType: ObjectType, eventType: EventType, objectJson: string): string {
  return `{"ObjectType":${JSON.stringify(objectType)},"EventType":${JSON.stringify(eventType)},"Request":null,"Object":${objectJson}}`;
}

/** A committed change: the object is the KubernetesResource's JSON text. */
export function changeMessage(type: ChangeType, resourceJson: string): string {
  return envelope("meshsync-data", type, resourceJson);
}

/**
 * What tells a consumer that changes were lost (the buffer overflowed while NATS was away): it must
 * ask for the store again. meshkit's broker.ReSync event type; there is no object.
 */
export function resyncMessage(): string {
  return envelope("meshsync-data", "RESYNC", "null");
}

/** One informer-store reply batch: Go publishes `&broker.Message{Object: batch}`, the rest unset. */
export function storeBatchMessage(resourceJsons: readonly string[]): string {
  return envelope("", "", `[${resourceJsons.join(",")}]`);
}

/** The meshsync-meta answer: `&broker.Message{Object: version}`. */
export function metaMessage(version: string): string {
  return envelope("", "", JSON.stringify(version));
}

/** One log chunk (model.LogObject: id, data, primary = pod, secondary = container; empty ones omitted). */
export function logChunkMessage(id: string, data: string, pod: string, container: string): string {
  const object: Record<string, string> = {};
  if (id !== "") object.id = id;
  if (data !== "") object.data = data;
  if (pod !== "") object.primary = pod;
  if (container !== "") object.secondary = container;
  return envelope("log-stream", "ADDED", JSON.stringify(object));
}

/** Terminal output of an exec session: the text itself is the object. */
export function execOutputMessage(data: string): string {
  return envelope("exec-output", "", JSON.stringify(data));
}

/** Why an exec session could not run, on its output subject. */
export function execErrorMessage(reason: string): string {
  return envelope("error", "", JSON.stringify(reason));
}

/** The ids of the running sessions (Go's getActiveChannels: exec and log sessions alike). */
export function activeSessionsMessage(ids: readonly string[]): string {
  return envelope("active-exec", "", JSON.stringify(ids));
}
