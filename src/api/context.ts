import type { ResourceGraph } from "../graph/index.js";
import type { ClusterHealth, ResourceType, TypeSyncStatus } from "../kube/index.js";
import { type ReplicaStatus, singleReplica } from "./replica-status.js";
import type { ResponseMeter } from "./response-meter.js";
import { SyncStatusFeed } from "./sync-status-feed.js";

/** One resource type as a cluster serves it; the engine supplies these from discovery. */
export interface ApiResourceInfo extends ResourceType {
  clusterId: string;
}

/** Told when a subscription starts, ends, or overflows its queue (for metrics). */
export interface SubscriptionObserver {
  opened(): void;
  closed(): void;
  overflowed(): void;
}

/** What Subscription.podLogs asks of the engine: one container's log, as `kubectl logs` would read it. */
export interface PodLogRequest {
  /** meshsync's cluster id (kube-system's uid); absent when only one cluster is synced. */
  clusterId?: string | undefined;
  namespace: string;
  pod: string;
  /** Absent: the pod's only container, or the one its default-container annotation names. */
  container?: string | undefined;
  follow: boolean;
  /** Only the last this many lines (then, when following, what comes after). */
  tailLines?: number | undefined;
  /** The log of the previous, terminated instance of the container. */
  previous?: boolean | undefined;
}

/**
 * Reads a log: yields its lines without their newline, and ends when the log does (or `signal` aborts).
 * A wrong pod or container fails with the API server's error (an Error with `status` 400 or 404).
 */
export type PodLogsProvider = (request: PodLogRequest, signal: AbortSignal) => AsyncIterable<string>;

/**
 * Log streams open now, in the whole process and per client connection: what podLogs is bounded by.
 * A stream is counted from the subscribe that asks for it until it ends, or until it is clear that no
 * reader took it up (a subscription that joined an identical one shares that one's stream).
 */
export class LogStreamCount {
  private open = 0;
  private readonly byClient = new WeakMap<object, number>();

  get total(): number {
    return this.open;
  }

  of(client: object | undefined): number {
    return client === undefined ? 0 : (this.byClient.get(client) ?? 0);
  }

  /** Counts one stream; the returned function uncounts it, once however often it is called. */
  take(client: object | undefined): () => void {
    this.open++;
    if (client !== undefined) this.byClient.set(client, this.of(client) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      if (client !== undefined) this.byClient.set(client, Math.max(0, this.of(client) - 1));
    };
  }
}

/** What every resolver can reach. The server builds one per process and shares it. */
export interface ApiContext {
  graph: ResourceGraph;
  apiResources: () => readonly ApiResourceInfo[];
  /** How each watched type of each cluster is syncing; the engine supplies it. */
  syncStatus: () => readonly TypeSyncStatus[];
  /** syncStatus as changes, for Subscription.syncStatus: one feed for the whole process. */
  syncStatusFeed: SyncStatusFeed;
  /** Each synced cluster's health; undefined when this server syncs no cluster itself (a bare graph). */
  clusterHealth: (() => readonly ClusterHealth[]) | undefined;
  /** Relists a cluster; resolves to false when the cluster is unknown. */
  resync: ((clusterId: string) => boolean | Promise<boolean>) | undefined;
  limits: ApiLimits;
  subscriptionObserver: SubscriptionObserver | undefined;
  /** Counts the bytes of the response being built; the server sets one per operation. */
  responseMeter?: ResponseMeter | undefined;
  /** Reads pod logs for Subscription.podLogs; absent on a server that cannot (podLogs then says so). */
  podLogs?: PodLogsProvider | undefined;
  /** The log streams podLogs has open; made with the context. */
  logStreams?: LogStreamCount | undefined;
  /** meshsync's version, as Meshery's getMeshsyncStatus reports it. */
  version?: string | undefined;
  /** This replica's part in a replicated deployment, for Query.replica. */
  replica: () => ReplicaStatus;
  /**
   * The client connection an operation came on (its socket), set by the server per operation: what the
   * per-connection bounds of podLogs count by. Absent in-process.
   */
  client?: object | undefined;
}

export interface ApiLimits {
  /** Page size when a query gives no `first`. */
  defaultPageSize: number;
  /** The largest `first` a query may ask for. */
  maxPageSize: number;
  /**
   * Live changes held for a subscriber that reads slower than the graph changes. Each is a reference to
   * a change the graph holds anyway, so a generous bound costs little and spares clients needless RESYNCs
   * after a burst such as a relist.
   */
  subscriptionQueueSize: number;
  /** Pod log streams open at once in the process; past this podLogs answers SERVER_BUSY. */
  maxLogStreams: number;
  /** Pod log streams one client connection may have open at once. */
  maxLogStreamsPerClient: number;
  /** The largest tailLines podLogs takes, and what it reads when none is given. */
  maxLogTailLines: number;
  /** A log line longer than this (UTF-8 bytes) is cut, and marked truncated. */
  maxLogLineBytes: number;
  /** Lines of a log a stream keeps, so that a subscriber joining an identical one reads it from the start. */
  retainedLogLines: number;
}

export const defaultApiLimits: ApiLimits = {
  defaultPageSize: 100,
  maxPageSize: 1000,
  subscriptionQueueSize: 10_000,
  maxLogStreams: 64,
  maxLogStreamsPerClient: 8,
  maxLogTailLines: 10_000,
  maxLogLineBytes: 16 * 1024,
  retainedLogLines: 2_000,
};

export interface ApiContextOptions {
  graph: ResourceGraph;
  apiResources?: (() => readonly ApiResourceInfo[]) | undefined;
  syncStatus?: (() => readonly TypeSyncStatus[]) | undefined;
  clusterHealth?: (() => readonly ClusterHealth[]) | undefined;
  resync?: ((clusterId: string) => boolean | Promise<boolean>) | undefined;
  limits?: Partial<ApiLimits> | undefined;
  subscriptionObserver?: SubscriptionObserver | undefined;
  podLogs?: PodLogsProvider | undefined;
  version?: string | undefined;
  replica?: (() => ReplicaStatus) | undefined;
}

export function createApiContext(options: ApiContextOptions): ApiContext {
  const syncStatus = options.syncStatus ?? (() => []);
  return {
    graph: options.graph,
    apiResources: options.apiResources ?? (() => []),
    syncStatus,
    syncStatusFeed: new SyncStatusFeed(syncStatus),
    clusterHealth: options.clusterHealth,
    resync: options.resync,
    limits: { ...defaultApiLimits, ...options.limits },
    subscriptionObserver: options.subscriptionObserver,
    podLogs: options.podLogs,
    logStreams: new LogStreamCount(),
    version: options.version,
    replica: options.replica ?? (() => singleReplica),
  };
}
