// The engine across clusters: one ClusterSync per connected cluster, all feeding the same sink.
// This is what the CLI starts and what the API asks for status, types and resyncs. When a sync finds
// another cluster behind its API server, the engine stops it, has the sink drop the old cluster
// (each object leaves as a DELETED change), and syncs the new cluster under its own id.

import { type ClusterHealth, clusterHealthOf } from "./cluster-health.js";
import { ClusterSync, type ClusterSyncOptions, type ClusterSyncState } from "./cluster-sync.js";
import { type ClusterConnection, type ConnectOptions, connectClusters } from "./connect.js";
import { errorText } from "./errors.js";
import { silentLogger } from "./logger.js";
import { addUpProgress, type SyncProgress } from "./sync-progress.js";
import type { TypeSyncStatus } from "./sync-status.js";
import type { ClusterRef, ResourceType } from "./types.js";

export type EngineOptions = Omit<ClusterSyncOptions, "connection" | "onIdentityChange">;

export class Engine {
  private readonly syncs = new Map<string, ClusterSync>();
  private readonly options: EngineOptions;
  private readonly replacing = new Set<Promise<void>>();
  private stopped = false;

  constructor(connections: ClusterConnection[], options: EngineOptions) {
    this.options = options;
    for (const connection of connections) this.addCluster(connection);
  }

  /** Connects to the kubeconfig's chosen contexts and builds an engine over them (not yet started). */
  static async connect(
    connect: ConnectOptions,
    options: EngineOptions,
    signal?: AbortSignal,
  ): Promise<Engine> {
    return new Engine(await connectClusters(connect, signal), options);
  }

  /** Adds a cluster; it starts syncing at once if the engine has started. */
  addCluster(connection: ClusterConnection): ClusterSync {
    if (this.syncs.has(connection.ref.id)) {
      throw new Error(`cluster ${connection.ref.id} (${connection.ref.name}) is already being synced`);
    }
    const sync = new ClusterSync({
      ...this.options,
      connection,
      onIdentityChange: (previous, next) => this.replace(previous, next),
    });
    this.syncs.set(connection.ref.id, sync);
    if (this.started) sync.start();
    return sync;
  }

  private started = false;

  start(): void {
    this.started = true;
    for (const sync of this.syncs.values()) sync.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.replacing]);
    await Promise.all([...this.syncs.values()].map((sync) => sync.stop()));
  }

  /**
   * The old cluster's objects leave (DELETED for each, so subscribers and resumed cursors stay
   * exact) before the new cluster's first list arrives: the graph never holds both under one name.
   */
  private replace(previous: ClusterSync, next: ClusterRef): void {
    const logger = this.options.logger ?? silentLogger;
    const done = (async () => {
      await previous.stop();
      if (this.syncs.get(previous.cluster.id) === previous) this.syncs.delete(previous.cluster.id);
      try {
        this.options.sink.removeCluster(previous.cluster);
      } catch (error) {
        logger.error(
          { cluster: previous.cluster.name, error: errorText(error) },
          "resource sink failed on a removal",
        );
      }
      if (this.stopped) return;
      const other = this.syncs.get(next.id);
      if (other !== undefined) {
        logger.warn(
          { context: previous.connection.context, cluster: next.id, syncedAs: other.cluster.name },
          "context now reaches a cluster already synced; skipped",
        );
        return;
      }
      this.addCluster({ ...previous.connection, ref: next });
    })().catch((error: unknown) => {
      logger.error(
        { cluster: previous.cluster.name, error: errorText(error) },
        "replacing the cluster failed",
      );
    });
    this.replacing.add(done);
    void done.finally(() => this.replacing.delete(done));
  }

  /** Resolves once every cluster's every type has finished its first list. */
  get ready(): Promise<void> {
    return Promise.all([...this.syncs.values()].map((sync) => sync.ready)).then(() => undefined);
  }

  isReady(): boolean {
    return [...this.syncs.values()].every((sync) => sync.isReady());
  }

  clusters(): ClusterRef[] {
    return [...this.syncs.values()].map((sync) => sync.cluster);
  }

  cluster(clusterId: string): ClusterSync | undefined {
    return this.syncs.get(clusterId);
  }

  /** Watched types of one cluster, or of all clusters. */
  resourceTypes(clusterId?: string): { cluster: ClusterRef; type: ResourceType }[] {
    return this.selected(clusterId).flatMap((sync) =>
      sync.resourceTypes().map((type) => ({ cluster: sync.cluster, type })),
    );
  }

  status(clusterId?: string): TypeSyncStatus[] {
    return this.selected(clusterId).flatMap((sync) => sync.status());
  }

  /** How far the first sync of every cluster has come, in counts. */
  progress(): SyncProgress {
    return addUpProgress([...this.syncs.values()].map((sync) => sync.progress()));
  }

  clusterStates(): ClusterSyncState[] {
    return [...this.syncs.values()].map((sync) => sync.clusterState());
  }

  /** Each synced cluster's health, for the API and /readyz. */
  health(): ClusterHealth[] {
    return this.clusterStates().map(clusterHealthOf);
  }

  /** Rediscovers and relists a cluster; false when the id is unknown. */
  resync(clusterId: string): boolean {
    const sync = this.syncs.get(clusterId);
    if (!sync) return false;
    sync.resync();
    return true;
  }

  private selected(clusterId: string | undefined): ClusterSync[] {
    if (clusterId === undefined) return [...this.syncs.values()];
    const sync = this.syncs.get(clusterId);
    return sync ? [sync] : [];
  }
}
