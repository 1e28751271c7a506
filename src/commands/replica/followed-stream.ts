// One cluster's change stream as a following replica (a gateway, or a standby watcher) reads it: the
// follower that builds the graph, and what that says of readiness and of the cluster's health.
import type { ReplicaLag } from "../../api/index.js";
import type { ClusterHealth } from "../../kube/index.js";
import { StreamFollower, type StreamFollowerOptions } from "../../outputs/index.js";

/** alignCursors: take the stream's cursors, right when the graph follows this one stream only. */
export type FollowedStreamOptions = Pick<
  StreamFollowerOptions,
  "link" | "streams" | "graph" | "alignCursors" | "logger" | "onDiverged"
>;

export class FollowedStream {
  readonly follower: StreamFollower;
  private readonly since = new Date().toISOString();

  constructor(readonly options: FollowedStreamOptions) {
    this.follower = new StreamFollower(options);
  }

  get changeStream(): string {
    return this.options.streams.names.changeStream;
  }

  lag(): ReplicaLag {
    const { changes, ms } = this.follower.lag();
    return { changes, seconds: ms / 1000 };
  }

  /**
   * Why this stream's graph should take no traffic, or undefined: not following yet, diverged, its
   * stream's end unread for longer than `maxLagMs` (NATS is away: the last lag is no longer true), or
   * more than `maxLagMs` behind the stream's newest change.
   */
  notReadyReason(maxLagMs: number, now = Date.now()): string | undefined {
    const { follower } = this;
    const stream = this.changeStream;
    if (follower.diverged !== undefined) return `diverged from ${stream}: ${follower.diverged}`;
    if (follower.state !== "following") return `${stream}: ${follower.state}`;
    const readAt = follower.streamReadTime;
    if (readAt === undefined || now - readAt > maxLagMs)
      return `${stream} not read for ${Math.round((now - (readAt ?? 0)) / 1000)}s: NATS does not answer`;
    const { changes, ms } = follower.lag();
    if (ms > maxLagMs) return `${changes} changes (${(ms / 1000).toFixed(1)}s) behind ${stream}`;
    return undefined;
  }

  /** The cluster as Query.clusters and /readyz show it: reachable means its stream is. */
  health(maxLagMs: number, now = Date.now()): ClusterHealth {
    const { cluster } = this.options.streams;
    const readAt = this.follower.streamReadTime;
    const reason = this.notReadyReason(maxLagMs, now);
    return {
      id: cluster.id,
      name: cluster.name,
      reachable: readAt !== undefined && now - readAt <= maxLagMs,
      since: this.since,
      lastError: reason,
      lastContact: readAt === undefined ? undefined : new Date(readAt).toISOString(),
      synced: this.follower.state === "following",
    };
  }
}
