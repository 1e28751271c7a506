// What a replica says of its part in a replicated deployment: plain `serve` is a single replica; with
// NATS JetStream, one elected watcher leads, its standbys and the gateways follow its stream.

export type ReplicaRole = "single" | "leader" | "standby" | "gateway";

export interface ReplicaLag {
  /** Changes the stream holds that this replica has not applied yet. */
  changes: number;
  /** How much older the last applied change is than the stream's newest. */
  seconds: number;
}

export interface ReplicaStatus {
  role: ReplicaRole;
  /** This replica's holder identity, when it takes part in an election. */
  identity?: string | undefined;
  /** Who holds the Lease, as last seen; undefined when no one does, or when not electing. */
  leader?: string | undefined;
  leaseTransitions?: number | undefined;
  /** When this replica became leader (ISO 8601). */
  leadingSince?: string | undefined;
  /** The change streams this replica writes (leader) or follows (standby, gateway). */
  streams: readonly string[];
  /** How far behind its streams a following replica is; undefined for one that does not follow. */
  lag?: ReplicaLag | undefined;
}

export const singleReplica: ReplicaStatus = { role: "single", streams: [] };
