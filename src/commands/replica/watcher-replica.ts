// `serve --to-nats [--leader-elect]`: a watcher of one cluster that publishes the cluster's changes to
// its JetStream stream, for gateways. Before it watches, it reads the stream into its graph (what an
// earlier leader published), so that it publishes on from the stream's end and its cursors are the
// stream's. Elected, it stays a standby serving that graph until it holds the Lease; then it catches up
// with the stream, starts publishing and only then starts watching. Losing the Lease (or finding the
// stream written by another) it falls silent at once and the process ends, as client-go's controllers
// do: a replica that once led never leads again without starting afresh.
import { resourceTypeName } from "@meshsync/k8s";
import type { ReplicaStatus } from "../../api/index.js";
import type { ElectionOptions, ReplicationOptions } from "../../config/index.js";
import type { ResourceGraph } from "../../graph/index.js";
import {
  Backoff,
  type ClusterConnection,
  type ClusterHealth,
  type Engine,
  LeaderElector,
  type Logger,
  realSleep,
} from "../../kube/index.js";
import {
  ChangePublisher,
  type ClusterStreams,
  ensureClusterStreams,
  ReplicationLink,
} from "../../outputs/index.js";
import { abortion } from "./abortion.js";
import { FollowedStream } from "./followed-stream.js";
import { leaseNamespaceOf, replicaIdentityOf } from "./lease-identity.js";

export interface WatcherReplicaOptions {
  replication: Extract<ReplicationOptions, { role: "watcher" }>;
  graph: ResourceGraph;
  engine: Engine;
  logger: Logger;
  /** The kubeconfig context's namespace, where the Lease goes when nothing else says. */
  contextNamespace: (context: string) => string | undefined;
  /** This replica must end: it lost the Lease, was fenced off the stream, or cannot follow it. */
  onFatal: (reason: string) => void;
}

type Phase = "connecting" | "following" | "leading" | "ended";

export class WatcherReplica {
  readonly identity: string;
  private readonly link: ReplicationLink;
  private readonly election: ElectionOptions | undefined;
  private phase: Phase = "connecting";
  private streams: ClusterStreams | undefined;
  private followed: FollowedStream | undefined;
  private elector: LeaderElector | undefined;
  private publisher: ChangePublisher | undefined;
  private leadingAt: number | undefined;
  private wakeBootstrapped: () => void = () => {};
  private failBootstrapped: (error: Error) => void = () => {};
  private wakeLeading: () => void = () => {};
  /** Resolves once the graph holds the stream's state (rebased to its cursors): before anyone may listen. */
  readonly bootstrapped = new Promise<void>((resolve, reject) => {
    this.wakeBootstrapped = resolve;
    this.failBootstrapped = reject;
  });
  private readonly leading = new Promise<void>((resolve) => {
    this.wakeLeading = resolve;
  });

  constructor(private readonly options: WatcherReplicaOptions) {
    this.election = options.replication.election;
    this.identity = replicaIdentityOf(this.election);
    this.link = new ReplicationLink({
      servers: options.replication.servers,
      name: `meshsync-watcher ${this.identity}`,
      logger: options.logger,
    });
    // A rejection nobody awaits yet (runServe awaits it later) must not end the process on its own.
    this.bootstrapped.catch(() => {});
  }

  /**
   * What the cluster connector awaits before it hands the cluster to the engine: the stream read in,
   * the Lease held (when electing), caught up and publishing. Resolves to false when stopped first.
   */
  readonly admit = async (connection: ClusterConnection, signal: AbortSignal): Promise<boolean> => {
    try {
      await this.follow(connection, signal);
    } catch (error) {
      if (signal.aborted) return false;
      this.failBootstrapped(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    this.wakeBootstrapped();
    if (this.election !== undefined) this.elect(connection, this.election);
    else this.wakeLeading();
    await Promise.race([this.leading, abortion(signal)]);
    if (signal.aborted || this.ended()) return false;
    await this.takeOver();
    return this.phase === "leading";
  };

  private async follow(connection: ClusterConnection, signal: AbortSignal): Promise<void> {
    this.link.start();
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    const aborted = abortion(signal);
    for (;;) {
      const clients = await Promise.race([this.link.whenUp(), aborted]);
      if (clients === undefined || signal.aborted) throw new Error("stopped before the stream was read");
      try {
        this.streams = await ensureClusterStreams(clients.jsm, connection.ref, {
          replicas: this.options.replication.streamReplicas,
        });
        break;
      } catch (error) {
        this.options.logger.warn(
          { err: (error as Error).message },
          "cannot set up the cluster's JetStream streams; retrying",
        );
        await realSleep(backoff.next(), signal);
      }
    }
    this.followed = new FollowedStream({
      link: this.link,
      streams: this.streams,
      graph: this.options.graph,
      alignCursors: true,
      logger: this.options.logger,
      onDiverged: (reason) => this.end(`replica diverged from its stream: ${reason}`),
    });
    await this.followed.follower.bootstrap();
    this.phase = "following";
    this.options.logger.info(
      { stream: this.streams.names.changeStream, sequence: this.followed.follower.applied },
      "following cluster stream",
    );
  }

  private elect(connection: ClusterConnection, election: ElectionOptions): void {
    const namespace = leaseNamespaceOf(election, this.options.contextNamespace(connection.context));
    try {
      this.elector = new LeaderElector({
        requester: connection.client,
        namespace,
        name: election.leaseName,
        identity: this.identity,
        leaseDurationMs: election.leaseDurationMs,
        renewDeadlineMs: election.renewDeadlineMs,
        retryPeriodMs: election.retryPeriodMs,
        logger: this.options.logger,
        onStartedLeading: () => this.wakeLeading(),
        // Synchronous, at the moment leadership is lost: nothing more goes out after this call.
        onStoppedLeading: (reason) => this.end(`leadership lost: ${reason}`),
        onNewLeader: (holder) => this.options.logger.info({ leader: holder ?? null }, "lease holder seen"),
      });
    } catch (error) {
      this.end(`cannot elect over lease ${namespace}/${election.leaseName}: ${(error as Error).message}`);
      return;
    }
    this.options.logger.info(
      { lease: `${namespace}/${election.leaseName}`, identity: this.identity },
      "standing by for the lease",
    );
    this.elector.start();
  }

  /** Everything the old leader published is in the graph before this one publishes its first change. */
  private async takeOver(): Promise<void> {
    const followed = this.followed;
    const streams = this.streams;
    if (followed === undefined || streams === undefined) return;
    try {
      await followed.follower.caughtUp();
      await followed.follower.stop();
      if (this.ended()) return;
      const publisher = new ChangePublisher({
        link: this.link,
        graph: this.options.graph,
        streams,
        writerId: this.identity,
        resourceTypeOf: (typeName) =>
          this.options.engine
            .resourceTypes()
            .find(
              ({ cluster, type }) => cluster.id === streams.cluster.id && resourceTypeName(type) === typeName,
            )?.type,
        logger: this.options.logger,
        onFenced: (reason) => this.end(`fenced off the change stream: ${reason}`),
        onOverflow: (reason) => this.end(`changes could not wait for NATS any longer: ${reason}`),
      });
      this.publisher = publisher;
      await publisher.start(this.options.graph.log.sequence);
    } catch (error) {
      this.end(`cannot take over the change stream: ${(error as Error).message}`);
      return;
    }
    if (this.ended()) return;
    this.phase = "leading";
    this.leadingAt = Date.now();
    this.options.logger.info(
      {
        identity: this.identity,
        stream: streams.names.changeStream,
        sequence: this.options.graph.log.sequence,
      },
      "started leading",
    );
  }

  /** A method, not a field read, so that a check after an await is not narrowed away. */
  private ended(): boolean {
    return this.phase === "ended";
  }

  private end(reason: string): void {
    if (this.phase === "ended") return;
    this.phase = "ended";
    this.publisher?.stop();
    this.wakeLeading();
    this.options.onFatal(reason);
  }

  /** Whether its graph comes from the stream now (a standby, or a watcher catching up), not from watches. */
  get following(): boolean {
    return this.phase === "connecting" || this.phase === "following";
  }

  /** While following, why its graph should take no traffic; undefined once it leads (the engine says then). */
  notReadyReason(): string | undefined {
    if (this.phase === "connecting") return "reading the cluster's stream";
    if (this.phase !== "following") return undefined;
    return this.followed?.notReadyReason(this.options.replication.maxLagMs);
  }

  health(): ClusterHealth[] {
    if (this.phase !== "following" || this.followed === undefined) return [];
    return [this.followed.health(this.options.replication.maxLagMs)];
  }

  status(): ReplicaStatus {
    const elector = this.elector;
    const role = this.phase === "leading" ? "leader" : "standby";
    const status: ReplicaStatus = {
      role,
      streams: this.streams === undefined ? [] : [this.streams.names.changeStream],
    };
    if (this.election !== undefined) {
      status.identity = this.identity;
      status.leader = elector?.leader;
      status.leaseTransitions = elector?.transitions;
    }
    if (this.leadingAt !== undefined) status.leadingSince = new Date(this.leadingAt).toISOString();
    if (role === "standby" && this.followed !== undefined) status.lag = this.followed.lag();
    return status;
  }

  get publishedChanges(): number {
    return this.publisher?.counters.published ?? 0;
  }

  get appliedChanges(): number {
    return this.followed?.follower.counters.changeMessages ?? 0;
  }

  /** Stops publishing, then gives the Lease back (client-go's ReleaseOnCancel), so a standby leads at once. */
  async stop(): Promise<void> {
    const leading = this.phase === "leading";
    this.phase = "ended";
    this.wakeLeading();
    if (leading) await this.publisher?.settled(2_000).catch(() => undefined);
    this.publisher?.stop();
    await this.followed?.follower.stop();
    await this.elector?.stop();
    await this.link.close();
  }
}
