// Replication over NATS JetStream, as serve runs it: a watcher that publishes (elected or alone), and a
// gateway that only follows.
export { Gateway, type GatewayOptions } from "./gateway.js";
export { leaseNamespaceOf, replicaIdentityOf } from "./lease-identity.js";
export { type ReplicaCounts, registerReplicaMetrics } from "./replica-metrics.js";
export { WatcherReplica, type WatcherReplicaOptions } from "./watcher-replica.js";
