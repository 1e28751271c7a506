import { describe, expect, it } from "vitest";
import { ResourceGraph, type StatusSummary, statusSummaryOf } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const cluster: ClusterRef = { id: "c", name: "c" };
const types: Record<string, ResourceType> = {
  Pod: resourceType("pods", "Pod"),
  Node: resourceType("nodes", "Node", { namespaced: false }),
  Deployment: resourceType("deployments", "Deployment", { group: "apps" }),
  StatefulSet: resourceType("statefulsets", "StatefulSet", { group: "apps" }),
  ReplicaSet: resourceType("replicasets", "ReplicaSet", { group: "apps" }),
  DaemonSet: resourceType("daemonsets", "DaemonSet", { group: "apps" }),
  Job: resourceType("jobs", "Job", { group: "batch" }),
  ConfigMap: resourceType("configmaps", "ConfigMap"),
};

let uid = 0;
function summaryOf(kind: string, body: Partial<KubeObject>, type = types[kind]!): StatusSummary | null {
  const graph = new ResourceGraph();
  const name = `o${++uid}`;
  graph.upsert(cluster, type, {
    ...body,
    metadata: { name, namespace: "ns", uid: name, resourceVersion: "1", ...body.metadata },
  });
  return statusSummaryOf(graph.list().items[0]!);
}

const none = {
  phase: null,
  ready: null,
  readyReplicas: null,
  desiredReplicas: null,
  restarts: null,
  reason: null,
};
const running = (restartCount = 0) => ({
  name: "app",
  ready: true,
  restartCount,
  state: { running: { startedAt: "2024-01-01T00:00:00Z" } },
});
const conditions = (ready: boolean) => [
  { type: "Initialized", status: "True" },
  { type: "Ready", status: ready ? "True" : "False" },
  { type: "ContainersReady", status: ready ? "True" : "False" },
  { type: "PodScheduled", status: "True" },
];

describe("a Pod's summary, as kubectl get pods reads it", () => {
  it("is running and ready, restarts summed over init and app containers", () => {
    expect(
      summaryOf("Pod", {
        spec: { initContainers: [{ name: "init" }], containers: [{ name: "app" }, { name: "side" }] },
        status: {
          phase: "Running",
          conditions: conditions(true),
          initContainerStatuses: [
            { name: "init", restartCount: 2, state: { terminated: { exitCode: 0, reason: "Completed" } } },
          ],
          containerStatuses: [running(3), { ...running(1), name: "side" }],
        },
      }),
    ).toEqual({ ...none, phase: "Running", ready: true, restarts: 6, reason: null });
  });

  it("shows CrashLoopBackOff, the first container with something to say winning", () => {
    expect(
      summaryOf("Pod", {
        status: {
          phase: "Running",
          conditions: conditions(false),
          containerStatuses: [
            {
              name: "app",
              ready: false,
              restartCount: 5,
              state: { waiting: { reason: "CrashLoopBackOff" } },
            },
            {
              name: "side",
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 1, reason: "Error" } },
            },
          ],
        },
      }),
    ).toEqual({ ...none, phase: "Running", ready: false, restarts: 5, reason: "CrashLoopBackOff" });
  });

  it("shows an init container's trouble and progress", () => {
    const pending = (initContainerStatuses: unknown[]) =>
      summaryOf("Pod", {
        spec: { initContainers: [{ name: "a" }, { name: "b" }] },
        status: {
          phase: "Pending",
          conditions: [{ type: "Initialized", status: "False" }],
          initContainerStatuses,
          containerStatuses: [
            { name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } },
          ],
        },
      })?.reason;
    expect(
      pending([{ name: "a", restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }]),
    ).toBe("Init:CrashLoopBackOff");
    expect(
      pending([
        { name: "a", state: { terminated: { exitCode: 0, reason: "Completed" } } },
        { name: "b", state: { running: {} } },
      ]),
    ).toBe("Init:1/2");
    expect(pending([{ name: "a", state: { terminated: { exitCode: 137 } } }])).toBe("Init:ExitCode:137");
  });

  it("shows the pod's own reason, a terminated container's, and Terminating", () => {
    expect(summaryOf("Pod", { status: { phase: "Failed", reason: "Evicted" } })?.reason).toBe("Evicted");
    expect(
      summaryOf("Pod", {
        status: {
          phase: "Succeeded",
          containerStatuses: [
            { name: "a", ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } },
          ],
        },
      }),
    ).toEqual({ ...none, phase: "Succeeded", ready: false, restarts: 0, reason: "Completed" });
    expect(
      summaryOf("Pod", {
        metadata: { deletionTimestamp: "2024-01-01T00:00:00Z" } as KubeObject["metadata"],
        status: { phase: "Running", conditions: conditions(true), containerStatuses: [running()] },
      })?.reason,
    ).toBe("Terminating");
  });
});

describe("the summaries of workloads, nodes and jobs", () => {
  it("reads replicas with the API's defaults: spec.replicas 1, status.readyReplicas 0", () => {
    for (const kind of ["Deployment", "StatefulSet", "ReplicaSet"]) {
      expect(summaryOf(kind, { spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2 } })).toEqual({
        ...none,
        ready: false,
        readyReplicas: 2,
        desiredReplicas: 3,
      });
      expect(summaryOf(kind, { spec: {}, status: {} })).toEqual({
        ...none,
        ready: false,
        readyReplicas: 0,
        desiredReplicas: 1,
      });
      expect(summaryOf(kind, { spec: { replicas: 0 }, status: {} })?.ready).toBe(true);
    }
  });

  it("reads a DaemonSet's scheduled and ready numbers", () => {
    expect(
      summaryOf("DaemonSet", {
        status: { desiredNumberScheduled: 3, numberReady: 3, currentNumberScheduled: 3 },
      }),
    ).toEqual({
      ...none,
      ready: true,
      readyReplicas: 3,
      desiredReplicas: 3,
    });
  });

  it("reads a Node's Ready condition and its reason", () => {
    const node = (status: string, reason: string) =>
      summaryOf("Node", {
        status: {
          conditions: [
            { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory" },
            { type: "Ready", status, reason },
          ],
        },
      });
    expect(node("True", "KubeletReady")).toEqual({ ...none, ready: true, reason: "KubeletReady" });
    expect(node("Unknown", "NodeStatusUnknown")).toEqual({
      ...none,
      ready: false,
      reason: "NodeStatusUnknown",
    });
  });

  it("reads a Job's succeeded pods against its completions, and why it failed", () => {
    expect(summaryOf("Job", { spec: { completions: 3 }, status: { succeeded: 1, active: 1 } })).toEqual({
      ...none,
      ready: false,
      readyReplicas: 1,
      desiredReplicas: 3,
    });
    expect(
      summaryOf("Job", {
        spec: {},
        status: {
          failed: 6,
          conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
        },
      }),
    ).toEqual({
      ...none,
      ready: false,
      readyReplicas: 0,
      desiredReplicas: 1,
      reason: "BackoffLimitExceeded",
    });
  });

  it("has none for other kinds, nor for a kind of the same name in another group", () => {
    expect(summaryOf("ConfigMap", { data: { a: "b" } })).toBeNull();
    const lookalike = resourceType("deployments", "Deployment", { group: "example.com" });
    expect(summaryOf("Deployment", { spec: { replicas: 2 } }, lookalike)).toBeNull();
  });
});
