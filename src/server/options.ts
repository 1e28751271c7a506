import type { Logger } from "pino";
import type { Registry } from "prom-client";
import {
  type ApiLimits,
  type ApiResourceInfo,
  defaultApiLimits,
  type PodLogsProvider,
  type ReplicaStatus,
} from "../api/index.js";
import type { ResourceGraph } from "../graph/index.js";
import type { ClusterHealth, SyncProgress, TypeSyncStatus } from "../kube/index.js";
import type { CostAdmissionLimits } from "./cost-admission.js";
import type { QueryLimits } from "./query-limits.js";

export interface Readiness {
  ready: boolean;
  /** Why not ready; /readyz shows it only to a client with the token (it may name servers and contexts). */
  reason?: string;
  /** Each cluster (or context not yet connected), shown by /readyz to a client with the token. */
  clusters?: readonly ClusterHealth[];
  /** How far the first sync has come, while not ready: counts, which /readyz shows to anyone. */
  progress?: SyncProgress;
  /** This replica's role and lag; /readyz shows the role and lag to anyone, who holds the Lease with the token. */
  replica?: ReplicaStatus;
}

export interface ServerLimits extends QueryLimits, ApiLimits, CostAdmissionLimits {
  /** Characters in one GraphQL document, checked before it is parsed. */
  maxDocumentChars: number;
  /** Lexical tokens in one document; stops the parser early on a huge document. */
  maxTokens: number;
  /**
   * Brackets ({, ( and [) open at once, checked before parsing: well above maxDepth plus the deepest
   * argument value the schema takes, so it refuses only what the depth rule would refuse anyway, and
   * far below what overflows the parser's stack (a few thousand).
   */
  maxNesting: number;
  /** What one operation may cost (src/server/query-cost.ts); for a subscription, one delivered change. */
  maxCost: number;
  /**
   * How long a query keeps its room among the operations running at once (maxConcurrentCost) after it
   * ran, while its result is still being written out, on any transport: a result's bytes weigh on the
   * process as much as building it did.
   */
  maxResponseHoldMs: number;
  /** Bytes resolvers may put into one response (one change, for a subscription) before it is stopped. */
  maxResponseBytes: number;
  /** Bytes in one HTTP request body or WebSocket message. */
  maxRequestBytes: number;
  /** Concurrent operations on one connection (WebSocket or SSE reservation). */
  maxSubscriptionsPerSocket: number;
  /** Acknowledged WebSockets plus SSE streams and reservations; an upgrade past this is answered 503. */
  maxConnections: number;
  /**
   * An HTTP socket that neither sends nor reads for this long is cut: a client that stopped reading a
   * response would otherwise keep its bytes in memory for good. WebSockets and event streams are
   * bounded by their own rules instead.
   */
  idleSocketTimeoutMs: number;
  /** WebSockets that have not been acknowledged yet: a pool of their own, so they never take the others' slots. */
  maxUnauthenticatedConnections: number;
  /** Time a WebSocket has to send connection_init, and an SSE reservation to be taken up. */
  connectionInitTimeoutMs: number;
  /** Subscriptions in the whole server; past this new ones get SERVER_BUSY. */
  maxSubscriptions: number;
  /**
   * Filter evaluations (src/graph/filter.ts changeEvaluations) that every committed change costs, all
   * subscription groups together: each group matches each change against its filter as it commits.
   * A subscription that would start a group past this gets SERVER_BUSY; one that joins a group adds none.
   */
  maxFilterEvaluationsPerChange: number;
  /** Bytes written-but-unsent plus queued, all clients together; past this the ones holding most are shed. */
  maxBufferedBytes: number;
  /** Written-but-unsent bytes on one connection above which nothing more is written to it. */
  socketHighWaterBytes: number;
  /** Queued bytes on one connection past which its subscriptions keep one pending change per object. */
  coalesceAfterBytes: number;
  /** Time a connection that takes nothing may have its queues coalesced before they are dropped to RESYNC. */
  coalesceForMs: number;
  /** Queued bytes on one connection past which the subscription adding more is dropped to RESYNC. */
  maxQueuedBytesPerSocket: number;
  /** Time a connection may stay above its high-water mark before it is closed as too slow. */
  slowSocketTimeoutMs: number;
  /** Time a closed connection gets to read its close frame before it is cut. */
  closeGraceMs: number;
  /** WebSocket ping and SSE comment interval. */
  keepAliveMs: number;
}

export const defaultServerLimits: ServerLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxFields: 1500,
  maxDocumentChars: 64 * 1024,
  maxTokens: 5000,
  maxNesting: 64,
  // Four pages of a thousand whole objects, or about 100,000 small fields.
  maxCost: 100_000,
  maxResponseBytes: 16 * 1024 * 1024,
  maxRequestBytes: 1024 * 1024,
  maxSubscriptionsPerSocket: 100,
  maxConnections: 1000,
  maxUnauthenticatedConnections: 64,
  connectionInitTimeoutMs: 3000,
  maxSubscriptions: 20_000,
  // About a millisecond per change (bench/query-cost.bench.ts: 0.04 to 0.11 µs an evaluation): a
  // hundred filters at the selector bound, or five thousand of one term, each of its own.
  maxFilterEvaluationsPerChange: 20_000,
  maxBufferedBytes: 256 * 1024 * 1024,
  socketHighWaterBytes: 512 * 1024,
  coalesceAfterBytes: 512 * 1024,
  maxQueuedBytesPerSocket: 2 * 1024 * 1024,
  coalesceForMs: 2000,
  slowSocketTimeoutMs: 10_000,
  closeGraceMs: 30_000,
  keepAliveMs: 12_000,
  // One operation at the budget at a time, beside any number of cheap ones: ten clients asking for four
  // pages of a thousand whole objects each then build one such response at a time, not ten.
  maxConcurrentCost: 100_000,
  maxQueuedOperations: 100,
  maxQueueWaitMs: 10_000,
  maxResponseHoldMs: 5_000,
  idleSocketTimeoutMs: 30_000,
  ...defaultApiLimits,
};

export interface ServerOptions {
  graph: ResourceGraph;
  host: string;
  /** 0 picks a free port; the returned url shows the real one. */
  port: number;
  /** When set, /graphql on both transports requires `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Serve without a token on a non-loopback address; refused otherwise. */
  allowUnauthenticated?: boolean | undefined;
  readiness: () => Readiness;
  apiResources?: (() => readonly ApiResourceInfo[]) | undefined;
  syncStatus?: (() => readonly TypeSyncStatus[]) | undefined;
  /** Each synced cluster's health, for Query.clusters. */
  clusterHealth?: (() => readonly ClusterHealth[]) | undefined;
  resync?: ((clusterId: string) => boolean | Promise<boolean>) | undefined;
  /** Reads pod logs, for Subscription.podLogs; podLogs answers UNSUPPORTED without it. */
  podLogs?: PodLogsProvider | undefined;
  /** meshsync's version: what Meshery's getMeshsyncStatus reports. */
  version?: string | undefined;
  /** This replica's part in a replicated deployment, for Query.replica; SINGLE when absent. */
  replica?: (() => ReplicaStatus) | undefined;
  /** Serve the schema older Meshery versions use at /api/system/graphql/query; true when absent. */
  meshery?: boolean | undefined;
  logger: Logger;
  /** Browser origins allowed to open the WebSocket; any origin when absent. */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * Without a token, the host names besides loopback names and IP addresses that requests may be
   * addressed to (a leading dot allows subdomains): the defence against DNS rebinding.
   */
  allowedHosts?: readonly string[] | undefined;
  limits?: Partial<ServerLimits> | undefined;
  /** Where the server's metrics go, so the engine can add its own beside them; a fresh registry when absent. */
  registry?: Registry | undefined;
}
