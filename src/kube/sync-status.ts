// What the engine says about each watched type, for the API, /readyz and metrics.
import type { ResourceType } from "./types.js";

export type SyncPhase = "listing" | "watching" | "backoff" | "error" | "stopped";

export interface TypeSyncStatus {
  clusterId: string;
  /** `<plural>.<version>.<group>` */
  typeName: string;
  resourceType: ResourceType;
  phase: SyncPhase;
  /** Last failure, kept while backing off or in error; cleared once the type is healthy again. */
  error: string | undefined;
  /** Objects of the type as its last list and the watch events since count them. */
  objectCount: number;
  /** When the last ADDED/MODIFIED/DELETED arrived (ISO 8601). */
  lastEventTime: string | undefined;
  resourceVersion: string;
  /** Lists after the first one (410s, watch-expired continues, resync requests). */
  relistCount: number;
  /** Watches opened since start; each reconnect adds one. */
  watchCount: number;
  /** Streams closed by the watchdog for staying silent past the deadline. */
  stallCount: number;
  /** Watch lines or objects that were malformed and skipped. */
  skippedCount: number;
  /** True once the first list has reached the sink. */
  hasSynced: boolean;
  /**
   * The server refused to list it (403) and it has never synced: the credentials leave it out. It
   * keeps retrying, but readiness does not wait for it.
   */
  forbidden: boolean;
}
