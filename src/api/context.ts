import type { ResourceGraph } from "../graph/index.js";
import type { ClusterHealth, ResourceType, TypeSyncStatus } from "../kube/index.js";
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
}

export const defaultApiLimits: ApiLimits = {
  defaultPageSize: 100,
  maxPageSize: 1000,
  subscriptionQueueSize: 10_000,
};

export interface ApiContextOptions {
  graph: ResourceGraph;
  apiResources?: (() => readonly ApiResourceInfo[]) | undefined;
  syncStatus?: (() => readonly TypeSyncStatus[]) | undefined;
  clusterHealth?: (() => readonly ClusterHealth[]) | undefined;
  resync?: ((clusterId: string) => boolean | Promise<boolean>) | undefined;
  limits?: Partial<ApiLimits> | undefined;
  subscriptionObserver?: SubscriptionObserver | undefined;
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
  };
}
