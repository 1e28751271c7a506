// `serve --from-nats`: a replica that watches nothing. It builds its graph from the clusters' JetStream
// streams (snapshot, then replay, then live) and serves it. Following one cluster's stream, it hands out
// that stream's cursors, as the leader and every other gateway do, so a client moves between them
// without a gap; following several, its cursors are its own (one sequence cannot order two streams).
import type { ReplicaStatus } from "../../api/index.js";
import type { ResourceGraph } from "../../graph/index.js";
import { type ClusterHealth, type Logger, realSleep } from "../../kube/index.js";
import { type ClusterStreams, listClusterStreams, ReplicationLink } from "../../outputs/index.js";
import { abortion } from "./abortion.js";
import { FollowedStream } from "./followed-stream.js";
import { combinedLag } from "./replica-lag.js";

export interface GatewayOptions {
  servers: readonly string[];
  maxLagMs: number;
  graph: ResourceGraph;
  logger: Logger;
  /** The graph can no longer follow (it diverged): the process must start again on a new one. */
  onFatal: (reason: string) => void;
}

/** How often the stream list is read again, for clusters that start replicating later. */
const discoveryIntervalMs = 5_000;

export class Gateway {
  private readonly link: ReplicationLink;
  private readonly followed = new Map<string, FollowedStream>();
  private alignCursors = false;
  private readonly ignored = new Set<string>();
  private discovery: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: GatewayOptions) {
    this.link = new ReplicationLink({
      servers: options.servers,
      name: "meshsync-gateway",
      logger: options.logger,
    });
  }

  /**
   * Resolves once every cluster stream found is bootstrapped and followed; waits for NATS and for a
   * first stream meanwhile. Rejects when a bootstrap fails (the graph is then half built).
   */
  async start(signal: AbortSignal): Promise<void> {
    this.link.start();
    const found = await this.firstStreams(signal);
    // Cursors are the stream's only while one stream feeds the graph: decided once, at the start.
    this.alignCursors = found.length === 1;
    if (!this.alignCursors)
      this.options.logger.warn(
        { streams: found.map((s) => s.names.changeStream) },
        "following several clusters' streams: cursors are this gateway's own, not shared with other gateways",
      );
    for (const streams of found) await this.follow(streams);
    this.discovery = setInterval(() => void this.discover(), discoveryIntervalMs);
    this.discovery.unref();
  }

  private async firstStreams(signal: AbortSignal): Promise<ClusterStreams[]> {
    let said = false;
    const aborted = abortion(signal);
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const clients = await Promise.race([this.link.whenUp(), aborted]);
      if (clients === undefined) throw signal.reason ?? new Error("NATS link closed");
      try {
        const found = await listClusterStreams(clients.jsm);
        if (found.length > 0) return found;
        if (!said) this.options.logger.info({}, "waiting for a watcher to create a cluster's stream");
      } catch (error) {
        if (!said)
          this.options.logger.warn(
            { err: (error as Error).message },
            "cannot list JetStream streams; is JetStream enabled on the NATS server?",
          );
      }
      said = true;
      await realSleep(1_000, signal);
    }
  }

  private async follow(streams: ClusterStreams): Promise<void> {
    const followed = new FollowedStream({
      link: this.link,
      streams,
      graph: this.options.graph,
      alignCursors: this.alignCursors,
      logger: this.options.logger,
      onDiverged: (reason) => this.options.onFatal(`replica diverged from its stream: ${reason}`),
    });
    this.followed.set(streams.cluster.id, followed);
    await followed.follower.bootstrap();
    this.options.logger.info(
      { stream: followed.changeStream, cluster: streams.cluster, sequence: followed.follower.applied },
      "following cluster stream",
    );
  }

  private async discover(): Promise<void> {
    const clients = this.link.clients;
    if (clients === undefined || this.stopped) return;
    let found: ClusterStreams[];
    try {
      found = await listClusterStreams(clients.jsm);
    } catch {
      return;
    }
    for (const streams of found) {
      const { id } = streams.cluster;
      if (this.followed.has(id) || this.ignored.has(id) || this.stopped) continue;
      if (this.alignCursors) {
        this.ignored.add(id);
        this.options.logger.warn(
          { stream: streams.names.changeStream },
          "a second cluster's stream appeared; a gateway that shares one stream's cursors follows only that one: restart it to follow both",
        );
        continue;
      }
      try {
        await this.follow(streams);
      } catch (error) {
        this.options.onFatal(`cannot bootstrap ${streams.names.changeStream}: ${(error as Error).message}`);
      }
    }
  }

  status(): ReplicaStatus {
    const followed = [...this.followed.values()];
    return {
      role: "gateway",
      streams: followed.map((f) => f.changeStream),
      lag: combinedLag(followed.map((f) => f.lag())),
    };
  }

  notReadyReason(): string | undefined {
    const reasons = [...this.followed.values()].flatMap((f) => f.notReadyReason(this.options.maxLagMs) ?? []);
    return reasons.length === 0 ? undefined : reasons.join("; ");
  }

  health(): ClusterHealth[] {
    return [...this.followed.values()].map((f) => f.health(this.options.maxLagMs));
  }

  get appliedChanges(): number {
    let applied = 0;
    for (const f of this.followed.values()) applied += f.follower.counters.changeMessages;
    return applied;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.discovery);
    for (const f of this.followed.values()) await f.follower.stop();
    await this.link.close();
  }
}
