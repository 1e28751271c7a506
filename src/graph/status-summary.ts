// What kubectl's get columns say of the common kinds (READY, STATUS, RESTARTS), read from the object the
// graph holds. Pod's STATUS follows kubectl's printPod (k8s.io/kubernetes pkg/printers/internalversion).
import type { KubeObject } from "../kube/index.js";
import type { StoredResource } from "./types.js";

export interface StatusSummary {
  phase: string | null;
  ready: boolean | null;
  readyReplicas: number | null;
  desiredReplicas: number | null;
  restarts: number | null;
  reason: string | null;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function count(value: unknown, absent: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : absent;
}

function condition(status: Json, type: string): Json | undefined {
  return records(status.conditions).find((c) => c.type === type);
}

function isTrue(status: Json, type: string): boolean {
  return condition(status, type)?.status === "True";
}

const empty: StatusSummary = {
  phase: null,
  ready: null,
  readyReplicas: null,
  desiredReplicas: null,
  restarts: null,
  reason: null,
};

/** A terminated container's reason, or its signal or exit code when it gives none, as kubectl shows it. */
function terminatedReason(terminated: Json): string {
  const reason = text(terminated.reason);
  if (reason !== null) return reason;
  const signal = count(terminated.signal, 0);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${count(terminated.exitCode, 0)}`;
}

/** What kubectl's STATUS column shows for a pod. */
function podStatusColumn(object: KubeObject, spec: Json, status: Json): string | null {
  let reason = text(status.reason) ?? text(status.phase);
  let initializing = false;
  const inits = records(status.initContainerStatuses);
  for (const [i, container] of inits.entries()) {
    const state = record(container.state);
    const terminated = state.terminated === undefined ? undefined : record(state.terminated);
    const waiting = state.waiting === undefined ? undefined : record(state.waiting);
    if (terminated !== undefined && count(terminated.exitCode, 0) === 0) continue;
    initializing = true;
    if (terminated !== undefined) reason = `Init:${terminatedReason(terminated)}`;
    else if (waiting !== undefined && text(waiting.reason) !== null && waiting.reason !== "PodInitializing")
      reason = `Init:${text(waiting.reason)}`;
    else reason = `Init:${i}/${records(spec.initContainers).length}`;
    break;
  }
  if (!initializing || isTrue(status, "Initialized")) {
    let hasRunning = false;
    const containers = records(status.containerStatuses);
    // From the last to the first, so that the first container with something to say has the last word.
    for (let i = containers.length - 1; i >= 0; i--) {
      const container = containers[i]!;
      const state = record(container.state);
      const waitingReason = text(record(state.waiting).reason);
      if (waitingReason !== null) reason = waitingReason;
      else if (state.terminated !== undefined) reason = terminatedReason(record(state.terminated));
      else if (container.ready === true && state.running !== undefined) hasRunning = true;
    }
    if (reason === "Completed" && hasRunning) reason = isTrue(status, "Ready") ? "Running" : "NotReady";
  }
  if (text(object.metadata?.deletionTimestamp) !== null)
    reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podSummary(object: KubeObject): StatusSummary {
  const spec = record(object.spec);
  const status = record(object.status);
  const phase = text(status.phase);
  let restarts = 0;
  for (const container of [...records(status.initContainerStatuses), ...records(status.containerStatuses)])
    restarts += count(container.restartCount, 0);
  const column = podStatusColumn(object, spec, status);
  return {
    ...empty,
    phase,
    ready: isTrue(status, "Ready"),
    restarts,
    // Only what says more than the phase: CrashLoopBackOff, Init:0/1, Terminating, Evicted.
    reason: column === phase ? null : column,
  };
}

function replicaSummary(desired: number, ready: number): StatusSummary {
  return { ...empty, ready: ready === desired, readyReplicas: ready, desiredReplicas: desired };
}

function nodeSummary(object: KubeObject): StatusSummary {
  const ready = condition(record(object.status), "Ready");
  return { ...empty, ready: ready?.status === "True", reason: text(ready?.reason) };
}

function jobSummary(object: KubeObject): StatusSummary {
  const status = record(object.status);
  // A Job without completions is done when one pod succeeds.
  const completions = count(record(object.spec).completions, 1);
  const succeeded = count(status.succeeded, 0);
  const failed = condition(status, "Failed");
  return {
    ...replicaSummary(completions, succeeded),
    ready: succeeded >= completions,
    reason: failed?.status === "True" ? text(failed.reason) : null,
  };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** spec.replicas defaults to 1 and status.readyReplicas to 0, as the API server and kubectl read them. */
function scaledSummary(object: KubeObject): StatusSummary {
  return replicaSummary(
    count(record(object.spec).replicas, 1),
    count(record(object.status).readyReplicas, 0),
  );
}

const summaries: Record<string, (object: KubeObject) => StatusSummary> = {
  "/Pod": podSummary,
  "/Node": nodeSummary,
  "apps/Deployment": scaledSummary,
  "apps/StatefulSet": scaledSummary,
  "apps/ReplicaSet": scaledSummary,
  "apps/DaemonSet": (o) =>
    replicaSummary(count(record(o.status).desiredNumberScheduled, 0), count(record(o.status).numberReady, 0)),
  "batch/Job": jobSummary,
};

/** Whether a kind has a summary, known without reading the object. */
export function hasStatusSummary(r: Pick<StoredResource, "apiVersion" | "kind">): boolean {
  return `${groupOf(r.apiVersion)}/${r.kind}` in summaries;
}

/** The summary of a Pod, Node, Deployment, StatefulSet, ReplicaSet, DaemonSet or Job; null for other kinds. */
export function statusSummaryOf(
  r: Pick<StoredResource, "apiVersion" | "kind" | "object">,
): StatusSummary | null {
  const summarize = summaries[`${groupOf(r.apiVersion)}/${r.kind}`];
  return summarize === undefined ? null : summarize(r.object);
}
