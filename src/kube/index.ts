// src/kube: the engine's Kubernetes side. Connects to clusters (kubeconfig, contexts, in-cluster),
// discovers their resource types, and runs one reflector per type per cluster, pushing upserts,
// deletes and replaces into a ResourceEventSink. Never imports the graph, API or server.
export { Backoff, type BackoffOptions } from "./backoff.js";
export type { ClusterGate, ContactState } from "./cluster-contact.js";
export { type ClusterHealth, clusterHealthOf } from "./cluster-health.js";
export {
  ClusterSync,
  type ClusterSyncOptions,
  type ClusterSyncState,
  type ReflectorTuning,
} from "./cluster-sync.js";
export {
  type ClusterConnection,
  type ConnectOptions,
  chooseContexts,
  clusterIdOf,
  connectCluster,
  connectClusters,
  isInPod,
  type KubeConfigLocation,
  type KubeConfigSource,
  kubeConfigForContext,
  loadKubeConfig,
  locateKubeConfig,
} from "./connect.js";
export { type DiscoveryResult, discoverResourceTypes, resourceTypesOf } from "./discovery.js";
export { Engine, type EngineOptions } from "./engine.js";
export { KubeApiError } from "./errors.js";
export {
  type ByteStream,
  KubeHttpClient,
  type KubeHttpClientOptions,
  type KubeRequester,
  type LineStream,
  type WriteMethod,
} from "./http-client.js";
export { type LeaderElectionOptions, LeaderElector, type LeaderRole } from "./leader-election.js";
export {
  collectionPath,
  HttpListerWatcher,
  type ListerWatcher,
  type ListOptions,
  type ListPage,
  type WatchOptions,
  type WatchStream,
} from "./list-watch.js";
export { type Logger, silentLogger } from "./logger.js";
export { MESHSYNC_RESOURCE_PATH, readMeshSyncSelection } from "./meshsync-resource.js";
export { registerSyncMetrics, type SyncStatusSource } from "./metrics.js";
export {
  type ExecOutput,
  type ExecResult,
  openPodExec,
  type PodExecOptions,
  type PodExecSession,
  type TerminalSize,
} from "./pod-exec.js";
export { openPodLogs, type PodLogOptions, type PodLogStream } from "./pod-logs.js";
export { type ChangeEventType, Reflector, type ReflectorOptions } from "./reflector.js";
export {
  parseSelectionConfig,
  Selection,
  type SelectionConfig,
  SelectionError,
  selectionFromWatchList,
  type WatchListEntry,
} from "./selection.js";
export { realSleep, type Sleep } from "./sleep.js";
export {
  addUpProgress,
  type ClusterProgress,
  type SyncProgress,
  type TypeProgress,
} from "./sync-progress.js";
export type { SyncPhase, TypeSyncStatus } from "./sync-status.js";
export * from "./types.js";
export { decodeWatchLine, objectProblem, type WatchEvent, type WatchEventType } from "./watch-event.js";
export { type StorableText, storableTextOf } from "./wire-object.js";
