import type { AppShape } from "./kinds/app-shape.js";

/** One application workload and what comes with it. */
export interface WorkloadSpec {
  kind: "Deployment" | "StatefulSet";
  shape: AppShape;
  replicas: number;
  /** Revisions before the current one, kept as ReplicaSets scaled to zero. */
  oldRevisions?: number;
  /** StatefulSets: the size of each pod's volume. */
  storage?: string;
  ingress?: { host: string; tls: boolean };
  autoscaled?: boolean;
  disruptionBudget?: boolean;
}

export interface NamespaceSpec {
  name: string;
  /** A namespace the cluster already has (default): only its workloads are added. */
  existing?: boolean;
  labels?: Record<string, string>;
  workloads: WorkloadSpec[];
  cronJobs: { shape: AppShape; schedule: string }[];
}

/** Everything a scenario varies; the cluster's own plumbing (kube-system & co.) is always added. */
export interface ClusterSpec {
  nodes: number;
  controlPlanes: number;
  namespaces: NamespaceSpec[];
  /** Record the events of the applications' rollout (scheduling, container starts, scaling). */
  events?: boolean;
}

/** Finished Jobs a CronJob keeps (its successfulJobsHistoryLimit), each with one Succeeded pod. */
export const jobsPerCronJob = 3;
