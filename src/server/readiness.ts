// What /readyz answers. The status code is the probe's: 503 until the first sync, 200 after, also
// while a cluster is unreachable (the README says why: a gateway whose cluster is gone still serves
// its last known graph, and a failing probe would take every replica out of its Service at once).
// The body tells the truth: "ready", "degraded" (serving, but a cluster does not answer or is being
// listed afresh) or "not ready", and each cluster's state. Reasons and clusters name API servers
// and contexts, so when a token is set only a client that presents it sees them. Until ready, it
// also says how far the first sync has come: counts of types and objects, which name nothing and are
// shown to every client, so that a probe's log or a curl tells whether a slow start is moving.
import type { ServerResponse } from "node:http";
import type { ReplicaStatus } from "../api/index.js";
import type { ClusterHealth, SyncProgress } from "../kube/index.js";
import type { Readiness } from "./options.js";

export type ReadinessStatus = "ready" | "degraded" | "not ready";

export interface ReadinessBody {
  status: ReadinessStatus;
  reason?: string;
  progress?: SyncProgress;
  clusters?: ClusterHealth[];
  replica?: ReplicaStatus;
}

const genericReasons: Record<ReadinessStatus, string | undefined> = {
  ready: undefined,
  degraded: "a cluster does not answer or is being listed; serving its last known state",
  "not ready": "the first sync has not finished",
};

export function readinessBody(state: Readiness, detailed: boolean): ReadinessBody {
  const clusters = state.clusters ?? [];
  const status: ReadinessStatus = !state.ready
    ? "not ready"
    : clusters.every((cluster) => cluster.reachable && cluster.synced)
      ? "ready"
      : "degraded";
  const body: ReadinessBody = { status };
  const reason = detailed && !state.ready ? (state.reason ?? genericReasons[status]) : genericReasons[status];
  if (reason !== undefined) body.reason = reason;
  if (!state.ready && state.progress !== undefined) body.progress = { ...state.progress };
  if (detailed) body.clusters = [...clusters];
  if (state.replica !== undefined) body.replica = replicaShown(state.replica, detailed);
  return body;
}

/** Role, streams and lag name nothing of the cluster; who holds the Lease names pods, so it needs the token. */
function replicaShown(replica: ReplicaStatus, detailed: boolean): ReplicaStatus {
  if (detailed) return { ...replica };
  const { role, streams, lag } = replica;
  return lag === undefined ? { role, streams } : { role, streams, lag };
}

export function sendReadiness(response: ServerResponse, state: Readiness, detailed: boolean): void {
  response.writeHead(state.ready ? 200 : 503, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(`${JSON.stringify(readinessBody(state, detailed))}\n`);
}
