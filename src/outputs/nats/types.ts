import type { ResourceGraph } from "../../graph/index.js";
import type { Logger } from "../../kube/index.js";

/** What a log stream asks of the cluster: `GET /api/v1/namespaces/NS/pods/POD/log` with these options. */
export interface PodLogRequest {
  readonly namespace: string;
  readonly pod: string;
  /** Empty for the pod's only container. */
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  /** The last lines only; undefined for the whole log. */
  readonly tailLines: number | undefined;
  /** Each line prefixed with its RFC 3339 time, as Go MeshSync asks (`timestamps=true`). */
  readonly timestamps: boolean;
  /** Aborted when the stream must end (a stop request, the output closing). */
  readonly signal: AbortSignal;
}

/**
 * Opens a pod's log: the chunks as the API server sends them, ending when the log ends (or, with follow,
 * when the signal aborts). Rejects, or throws from the iterator, with a one-line reason.
 */
export type PodLogSource = (request: PodLogRequest) => AsyncIterable<Uint8Array>;

/** What an interactive shell asks of the cluster: `POST …/pods/POD/exec` with a TTY and stdin. */
export interface PodExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** `["/bin/sh"]`, as Go MeshSync runs. */
  readonly command: readonly string[];
  readonly tty: boolean;
  /** Aborted when the session must end (a stop request, the output closing). */
  readonly signal: AbortSignal;
}

/** A running exec: its merged stdout and stderr, a way to type into it, and how it ended. */
export interface PodExecSession {
  /** Output as it comes; ends when the remote process exits or the session is closed. */
  readonly output: AsyncIterable<Uint8Array>;
  /** Writes to the process's stdin. */
  write(data: Uint8Array): void;
  /** Ends the session (closes the stream); safe to call more than once. */
  close(): void;
}

/** Starts an exec session; rejects with a one-line reason when the cluster refuses it. */
export type PodExecOpener = (request: PodExecRequest) => Promise<PodExecSession>;

/** Every bound of the NATS output; each has a default (nats-limits.ts). */
export interface NatsOutputLimits {
  /** Messages waiting to be handed to NATS (while it is away or slow) before the buffer is dropped. */
  maxBufferedMessages?: number;
  /** Bytes of those messages (estimated before encoding, exact after) before the buffer is dropped. */
  maxBufferedBytes?: number;
  /** Bytes handed to the client and not yet confirmed by the server (a flush's PONG) at once. */
  maxInFlightBytes?: number;
  /** The largest message published; a bigger object is logged and skipped. Lowered to the server's max_payload. */
  maxMessageBytes?: number;
  /** Objects per informer-store reply message (Go MeshSync: 5). */
  storeBatchSize?: number;
  /** How long an informer-store request waits for the first sync before it is answered anyway. */
  storeWaitMs?: number;
  /** Quiet time after the last resync-discovery request before the relist (Go MeshSync: 5 s). */
  resyncDebounceMs?: number;
  /** The longest a stream of resync-discovery requests can put the relist off. */
  resyncMaxDelayMs?: number;
  /** Log streams running at once; a request beyond it is refused with a log line. */
  maxLogStreams?: number;
  /** Exec sessions running at once. */
  maxExecSessions?: number;
  /** Bytes of a request message accepted; a larger one is refused. */
  maxRequestBytes?: number;
  /** Entries of one log-stream or exec-request payload map. */
  maxRequestEntries?: number;
  /** How often the active exec sessions are republished after an active-exec request (Go MeshSync: 10 s). */
  activeSessionsIntervalMs?: number;
  /** Bytes of one log or exec output chunk (Go MeshSync reads 2000 and 1024). */
  logChunkBytes?: number;
  execChunkBytes?: number;
  /** Reconnect backoff: the first wait and the ceiling, in milliseconds. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface NatsOutputOptions {
  /** NATS server URLs (nats://host:port or host:port), from --broker-url / BROKER_URL. */
  servers: readonly string[];
  graph: ResourceGraph;
  /** True once every watched type finished its first list. */
  firstSyncDone: () => boolean;
  whenFirstSyncDone: Promise<void>;
  /** Relists every cluster. */
  resync: () => void;
  /** What a meshsync-meta request is answered with. */
  version: string;
  /** MESHSYNC_BROKER_CONTENT_DEDUP: skip publishing an object whose content has not changed. */
  contentDedup: boolean;
  podLogs: PodLogSource;
  podExec: PodExecOpener;
  logger: Logger;
  limits?: NatsOutputLimits;
  /** The client name the server shows (Go MeshSync: "meshsync"). */
  connectionName?: string;
}

export interface NatsOutputStatus {
  /** Whether the connection to a NATS server is up now. */
  connected: boolean;
  /** Messages waiting to be handed to NATS. */
  buffered: number;
  bufferedBytes: number;
  /** Messages handed to NATS and not yet confirmed by the server. */
  inFlight: number;
  /** Messages published (handed to a live connection) since start. */
  published: number;
  /** Messages dropped: the buffer overflowed, or an object was too large. */
  dropped: number;
  /** Times the buffer overflowed and was dropped for a RESYNC. */
  overflows: number;
  /** Changes not published because their content had not changed (content dedup). */
  deduplicated: number;
  /** Times the connection came back after a loss. */
  reconnects: number;
  logStreams: number;
  execSessions: number;
}

export interface NatsOutput {
  status(): NatsOutputStatus;
  /** Stops listening, ends every stream and session, hands what is buffered to NATS if it is up, and closes. */
  close(): Promise<void>;
}
