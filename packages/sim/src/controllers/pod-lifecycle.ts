// The scheduler and the kubelets of the simulated cluster, for pods nobody else runs: a pod a client
// creates without a node is bound to a Ready node that takes it; a bound pod that no kubelet has
// reported on yet is accepted (Pending, containers being created), then started (Running, Ready).
// Each step is its own write, so watchers see the same sequence of events a real cluster produces.
// Pods that a scenario or the churn creates come with their status already written and are left to
// whoever made them.
import type { SimResourceType } from "../catalog.js";
import { type Json, record, records } from "../json.js";
import type { KubeObject } from "../object-api.js";
import { isPlainObject, nowTimestamp, type ObjectStore, storageKey } from "../store/index.js";
import { DelayedWork } from "./delayed-work.js";
import { acceptedStatus, type PodAddresses, runningStatus } from "./pod-status.js";

export interface PodLifecycleDelays {
  /** From a pod's creation to its binding (the scheduler's queue and cycle). */
  scheduleMs: number;
  /** From the binding to the kubelet's first status (the pod admitted, its sandbox being made). */
  acceptMs: number;
  /** From that to the containers running (image pulled, containers started). */
  startMs: number;
}

export const defaultPodLifecycleDelays: PodLifecycleDelays = { scheduleMs: 100, acceptMs: 200, startMs: 800 };

const scheduler = { name: "kube-scheduler", operation: "Update" } as const;
const kubelet = { name: "kubelet", operation: "Update" } as const;

function isReadyNode(node: KubeObject): boolean {
  return records(record(node.status).conditions).some((c) => c.type === "Ready" && c.status === "True");
}

/** Ready and not cordoned: a node the scheduler may place new pods on. */
function takesPods(node: KubeObject): boolean {
  return isReadyNode(node) && record(node.spec).unschedulable !== true;
}

/** NoSchedule and NoExecute taints keep a pod off a node unless it tolerates them. */
function tolerates(pod: KubeObject, node: KubeObject): boolean {
  const tolerations = records(record(pod.spec).tolerations);
  return records(record(node.spec).taints).every((taint) => {
    if (taint.effect === "PreferNoSchedule") return true;
    return tolerations.some(
      (t) =>
        (t.key === undefined || t.key === "" || t.key === taint.key) &&
        (t.effect === undefined || t.effect === "" || t.effect === taint.effect) &&
        (t.operator === "Exists" || t.value === taint.value),
    );
  });
}

function selectsNode(pod: KubeObject, node: KubeObject): boolean {
  const selector = record(record(pod.spec).nodeSelector);
  const labels = node.metadata?.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function internalIp(node: KubeObject | undefined): string {
  const address = records(record(node?.status).addresses).find((a) => a.type === "InternalIP");
  return typeof address?.address === "string" ? address.address : "";
}

function isUnscheduled(pod: KubeObject): boolean {
  const spec = record(pod.spec);
  const schedulerName = spec.schedulerName;
  return (
    (typeof spec.nodeName !== "string" || spec.nodeName === "") &&
    (schedulerName === undefined || schedulerName === "default-scheduler")
  );
}

/** Bound, still Pending, and not yet reported on by any kubelet (no container statuses). */
function awaitsKubelet(pod: KubeObject): boolean {
  const spec = record(pod.spec);
  const status = record(pod.status);
  return (
    typeof spec.nodeName === "string" &&
    spec.nodeName !== "" &&
    status.phase === "Pending" &&
    !Array.isArray(status.containerStatuses)
  );
}

/** Accepted by the kubelet, containers not started yet. */
function awaitsStart(pod: KubeObject): boolean {
  const status = record(pod.status);
  if (status.phase !== "Pending") return false;
  const containers = records(status.containerStatuses);
  return containers.length > 0 && containers.every((c) => isPlainObject(record(c.state).waiting));
}

/**
 * Binds a pod to a node as the API server's pods/binding does: spec.nodeName and the PodScheduled
 * condition in one write, which no client's update could make (it may not touch both at once).
 */
export function bindPod(
  store: ObjectStore,
  type: SimResourceType,
  namespace: string | undefined,
  name: string,
  nodeName: string,
): KubeObject {
  return store.rewrite(type, namespace, name, (pod) => {
    pod.spec = { ...record(pod.spec), nodeName };
    const status = record(pod.status);
    const scheduled = {
      type: "PodScheduled",
      status: "True",
      lastProbeTime: null,
      lastTransitionTime: nowTimestamp(),
    };
    const conditions = records(status.conditions).filter((c) => c.type !== "PodScheduled");
    pod.status = { ...status, conditions: [...conditions, scheduled] };
  });
}

export class PodLifecycle {
  private readonly work = new DelayedWork();
  /** Pods this kubelet accepted: only those it goes on to start, never a churn's pending pod. */
  private readonly acceptedHere = new Set<string>();
  private readonly stopListening: () => void;
  private readonly pods: SimResourceType;
  private readonly nodes: SimResourceType;

  constructor(
    private readonly store: ObjectStore,
    private readonly delays: PodLifecycleDelays = defaultPodLifecycleDelays,
  ) {
    this.pods = store.resolve("", "v1", "pods");
    this.nodes = store.resolve("", "v1", "nodes");
    const podsKey = storageKey("", "pods");
    this.stopListening = store.onChange((change) => {
      if (change.storageKey !== podsKey) return;
      if (change.type === "DELETED") this.acceptedHere.delete(change.object.metadata?.uid ?? "");
      else this.react(change.object);
    });
  }

  stop(): void {
    this.stopListening();
    this.work.stop();
  }

  private react(pod: KubeObject): void {
    if (pod.metadata?.deletionTimestamp) return;
    const namespace = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    const key = pod.metadata?.uid ?? "";
    if (isUnscheduled(pod)) {
      this.work.schedule(`${key}/schedule`, this.delays.scheduleMs, () => this.schedule(namespace, name));
    } else if (awaitsKubelet(pod)) {
      this.work.schedule(`${key}/accept`, this.delays.acceptMs, () => this.accept(namespace, name));
    } else if (awaitsStart(pod) && this.acceptedHere.has(key)) {
      this.work.schedule(`${key}/start`, this.delays.startMs, () => this.start(namespace, name));
    }
  }

  private current(namespace: string, name: string): KubeObject | undefined {
    const pod = this.store.getStored(this.pods, namespace, name);
    return pod && !pod.metadata?.deletionTimestamp ? pod : undefined;
  }

  private schedule(namespace: string, name: string): void {
    const pod = this.current(namespace, name);
    if (!pod || !isUnscheduled(pod)) return;
    const candidates = this.store
      .listStored(this.nodes)
      .filter((node) => takesPods(node) && tolerates(pod, node) && selectsNode(pod, node));
    if (candidates.length === 0) {
      // A cluster without nodes (the bare simulator of tests) has no scheduler to say so either.
      if (this.store.count(this.nodes) > 0) this.markUnschedulable(pod);
      return;
    }
    // Spread: the node with the fewest pods, as the scheduler's balanced allocation tends to.
    const load = new Map<string, number>();
    for (const other of this.store.listStored(this.pods)) {
      const nodeName = record(other.spec).nodeName;
      if (typeof nodeName === "string") load.set(nodeName, (load.get(nodeName) ?? 0) + 1);
    }
    const chosen = candidates.reduce((best, node) =>
      (load.get(node.metadata?.name ?? "") ?? 0) < (load.get(best.metadata?.name ?? "") ?? 0) ? node : best,
    );
    bindPod(this.store, this.pods, namespace, name, chosen.metadata?.name ?? "");
  }

  private markUnschedulable(pod: KubeObject): void {
    const status = record(pod.status);
    if (records(status.conditions).some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"))
      return;
    const total = this.store.count(this.nodes);
    const next = structuredClone(pod);
    next.status = {
      ...status,
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: nowTimestamp(),
          reason: "Unschedulable",
          message: `0/${total} nodes are available: ${total} node(s) didn't match the pod's node affinity/selector, were not ready or had untolerated taints.`,
        },
      ],
    };
    this.store.updateObject(this.pods, pod.metadata?.namespace, pod.metadata?.name ?? "", next, {
      subresource: "status",
      manager: scheduler,
    });
  }

  private addressesFor(pod: KubeObject): PodAddresses {
    const nodeName = String(record(pod.spec).nodeName ?? "");
    const node = this.store.getStored(this.nodes, undefined, nodeName);
    const hostIp = internalIp(node) || "10.89.0.2";
    if (record(pod.spec).hostNetwork === true) return { hostIp, podIp: hostIp };
    return { hostIp, podIp: this.freePodIp(record(node?.spec).podCIDR, nodeName) };
  }

  /** An address of the node's range that no pod on it holds. */
  private freePodIp(podCidr: unknown, nodeName: string): string {
    const cidr = typeof podCidr === "string" && podCidr ? podCidr : "10.244.0.0/24";
    const prefix = cidr.slice(0, cidr.lastIndexOf(".") + 1);
    const used = new Set<string>();
    for (const pod of this.store.listStored(this.pods)) {
      if (record(pod.spec).nodeName !== nodeName) continue;
      const ip = record(pod.status).podIP;
      if (typeof ip === "string") used.add(ip);
    }
    for (let host = 2; host < 255; host++) {
      const ip = `${prefix}${host}`;
      if (!used.has(ip)) return ip;
    }
    return `${prefix}254`;
  }

  private writeStatus(pod: KubeObject, status: Json): void {
    const next = structuredClone(pod);
    next.status = status;
    this.store.updateObject(this.pods, pod.metadata?.namespace, pod.metadata?.name ?? "", next, {
      subresource: "status",
      manager: kubelet,
    });
  }

  private accept(namespace: string, name: string): void {
    const pod = this.current(namespace, name);
    if (!pod || !awaitsKubelet(pod)) return;
    // No registered, Ready node means no kubelet to run it: the pod stays Pending, as it would.
    const node = this.store.getStored(this.nodes, undefined, String(record(pod.spec).nodeName));
    if (!node || !isReadyNode(node)) return;
    this.acceptedHere.add(pod.metadata?.uid ?? "");
    this.writeStatus(
      pod,
      acceptedStatus(pod, { hostIp: internalIp(node) || "10.89.0.2", podIp: "" }, nowTimestamp()),
    );
  }

  private start(namespace: string, name: string): void {
    const pod = this.current(namespace, name);
    const uid = pod?.metadata?.uid ?? "";
    if (!pod || !awaitsStart(pod)) return;
    this.acceptedHere.delete(uid);
    this.writeStatus(pod, runningStatus(pod, this.addressesFor(pod), nowTimestamp()));
  }
}
