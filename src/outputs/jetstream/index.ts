// Replication over JetStream: the leader publishes every change of its cluster's graph to a stream per
// cluster, and other replicas build the same graph from it, handing out the same cursors.

export {
  ChangePublisher,
  type ChangePublisherCounters,
  type ChangePublisherLimits,
  type ChangePublisherOptions,
  type ChangePublisherState,
  defaultChangePublisherLimits,
} from "./change-publisher.js";
export { type JetStreamClients, ReplicationLink, type ReplicationLinkOptions } from "./replication-link.js";
export {
  StreamFollower,
  type StreamFollowerCounters,
  type StreamFollowerOptions,
  type StreamFollowerState,
} from "./stream-follower.js";
export {
  type ClusterStreamNames,
  clusterStreamNames,
  objectSubject,
  safeToken,
  streamEpoch,
} from "./stream-names.js";
export {
  type ClusterStreams,
  clusterOfChangeStream,
  defaultReplicationStreamLimits,
  ensureClusterStreams,
  epochOfSnapshotStream,
  listClusterStreams,
  ReplicationStreamError,
  type ReplicationStreamLimits,
  readClusterStreams,
} from "./stream-setup.js";
export { type DecodeResult, decodeChange, type ReplicatedChange, wireVersion } from "./wire.js";
