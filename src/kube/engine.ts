// The engine across clusters: one ClusterSync per connected cluster, all feeding the same sink.
// This is what the CLI starts and what the API asks for status, types and resyncs.
import { ClusterSync, type ClusterSyncOptions, type ClusterSyncState } from "./cluster-sync.js";
import { type ClusterConnection, type ConnectOptions, connectClusters } from "./connect.js";
import type { TypeSyncStatus } from "./sync-status.js";
import type { ClusterRef, ResourceType } from "./types.js";

export type EngineOptions = Omit<ClusterSyncOptions, "connection">;

export class Engine {
  private readonly syncs = new Map<string, ClusterSync>();
  private readonly options: EngineOptions;

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
    const sync = new ClusterSync({ ...this.options, connection });
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
    await Promise.all([...this.syncs.values()].map((sync) => sync.stop()));
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

  clusterStates(): ClusterSyncState[] {
    return [...this.syncs.values()].map((sync) => sync.clusterState());
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
