import type { KubeObject } from "../../object-api.js";
import { podStartEvents, replicaSetPodEvent, scheduledEvent, unhealthyEvent } from "../kinds/event.js";
import { buildPod } from "../kinds/pod.js";
import { controllerRef } from "../stamp.js";
import { type ChurnContext, isAlreadyExists, nodes, pods } from "./churn-context.js";
import { addPodToSlices, removePodFromSlices, setPodReadyInSlices } from "./endpoints.js";
import { child, record, records, text } from "./fields.js";
import { KeyCache } from "./key-cache.js";
import { refreshReplicaCounts } from "./replicas.js";

/** Nodes that take ordinary pods (not the tainted control plane). */
export function workerNodes(ctx: ChurnContext): KeyCache {
  return new KeyCache(
    ctx,
    nodes,
    (node) => node.metadata?.labels?.["node-role.kubernetes.io/control-plane"] === undefined,
  );
}

/** Creates a pod under a generated name, drawing another when the name is taken, as generateName does. */
function createWithFreshName(
  ctx: ChurnContext,
  nextName: () => string,
  build: (name: string) => KubeObject,
): KubeObject {
  for (let attempt = 1; ; attempt++) {
    try {
      return ctx.create(pods, build(nextName()));
    } catch (error) {
      if (!isAlreadyExists(error) || attempt >= 5) throw error;
    }
  }
}

/** Creates pods for a ReplicaSet from its template, scheduled but not yet started. */
export function createPodsFor(
  ctx: ChurnContext,
  replicaSet: KubeObject,
  count: number,
  workers: KeyCache,
): void {
  const template = record(record(replicaSet.spec).template);
  const namespace = replicaSet.metadata?.namespace ?? "default";
  const rsName = replicaSet.metadata?.name ?? "";
  for (let i = 0; i < count; i++) {
    const key = workers.pick(ctx.random);
    const node = key ? ctx.read(nodes, undefined, key.name) : undefined;
    if (!node) return;
    const hostIp =
      records(record(node.status).addresses).find((address) => address.type === "InternalIP")?.address ?? "";
    const build = (name: string) =>
      buildPod(ctx.stamp, {
        name,
        generateName: `${rsName}-`,
        namespace,
        labels: { ...(record(template.metadata).labels as Record<string, string> | undefined) },
        owner: controllerRef(replicaSet),
        spec: structuredClone(record(template.spec)),
        placement: { nodeName: node.metadata?.name ?? "", hostIp: text(hostIp), podIp: "" },
        phase: "Pending",
      });
    const created = createWithFreshName(ctx, () => `${rsName}-${ctx.random.suffix(5)}`, build);
    const name = created.metadata?.name ?? "";
    ctx.pending.push({ namespace, name });
    ctx.recordEvent(replicaSetPodEvent(ctx.stamp, replicaSet, name, true));
    ctx.recordEvent(scheduledEvent(ctx.stamp, created));
  }
}

function setCondition(status: Record<string, unknown>, type: string, value: string, time: string): void {
  for (const condition of records(status.conditions)) {
    if (condition.type === type && condition.status !== value) {
      condition.status = value;
      condition.lastTransitionTime = time;
    }
  }
}

/** The kubelet starts a pending pod: it gets its IP, its containers run, it joins its services. */
export function startPendingPod(ctx: ChurnContext): boolean {
  const key = ctx.pending.shift();
  if (!key) return false;
  const pod = ctx.read(pods, key.namespace, key.name);
  if (!pod) return true;
  const spec = record(pod.spec);
  const status = child(pod, "status");
  const time = ctx.stamp.timestamp();
  const node = ctx.read(nodes, undefined, text(spec.nodeName));
  const podCidr = text(record(node?.spec).podCIDR) || "10.250.0.0/24";
  const ip = ctx.nextPodIp(podCidr);
  status.phase = "Running";
  status.podIP = ip;
  status.podIPs = [{ ip }];
  for (const type of ["PodReadyToStartContainers", "Ready", "ContainersReady"])
    setCondition(status, type, "True", time);
  for (const container of records(status.containerStatuses)) {
    container.ready = true;
    container.started = true;
    container.state = { running: { startedAt: time } };
    container.containerID = `containerd://${ctx.random.hex(64)}`;
  }
  const running = ctx.updateStatus(pods, pod);
  for (const event of podStartEvents(ctx.stamp, running)) ctx.recordEvent(event);
  addPodToSlices(ctx, running);
  refreshReplicaCounts(ctx, running);
  return true;
}

/** A pod of an application namespace, found through a deployment's namespace and the index. */
function pickAppPod(ctx: ChurnContext, appDeployments: KeyCache): KubeObject | undefined {
  const namespace = appDeployments.pick(ctx.random)?.namespace;
  if (namespace === undefined) return undefined;
  const names = [...ctx.index.podsIn(namespace).keys()];
  if (names.length === 0) return undefined;
  const name = ctx.random.pick(names);
  const pod = ctx.read(pods, namespace, name);
  if (!pod) ctx.index.deleted("pods", namespace, name);
  return pod && !ctx.leftAlone(pod) ? pod : undefined;
}

/** A running pod's container crashes and restarts (not ready), or a not-ready one recovers. */
export function flipReadiness(ctx: ChurnContext, appDeployments: KeyCache): void {
  const pod = pickAppPod(ctx, appDeployments);
  if (!pod) return;
  const status = child(pod, "status");
  if (status.phase !== "Running") return;
  const ready = records(status.conditions).find((condition) => condition.type === "Ready")?.status === "True";
  const time = ctx.stamp.timestamp();
  setCondition(status, "Ready", ready ? "False" : "True", time);
  setCondition(status, "ContainersReady", ready ? "False" : "True", time);
  for (const container of records(status.containerStatuses)) {
    container.ready = !ready;
    if (ready) {
      const previous = record(record(container.state).running);
      container.restartCount = (typeof container.restartCount === "number" ? container.restartCount : 0) + 1;
      container.lastState = {
        terminated: {
          containerID: container.containerID,
          exitCode: 137,
          reason: ctx.random.pick(["OOMKilled", "Error"]),
          startedAt: previous.startedAt ?? time,
          finishedAt: time,
        },
      };
      container.containerID = `containerd://${ctx.random.hex(64)}`;
      container.state = { running: { startedAt: time } };
    }
  }
  const updated = ctx.updateStatus(pods, pod);
  if (ready) ctx.recordEvent(unhealthyEvent(ctx.stamp, updated));
  setPodReadyInSlices(ctx, updated, !ready);
  refreshReplicaCounts(ctx, updated);
}

/** Removes a pod the way a scale-down does: out of its services first, then gone. */
export function deletePod(ctx: ChurnContext, pod: KubeObject, replicaSet: KubeObject): void {
  const namespace = pod.metadata?.namespace ?? "";
  removePodFromSlices(ctx, pod);
  ctx.deleteIfPresent(pods, namespace, pod.metadata?.name ?? "");
  ctx.recordEvent(replicaSetPodEvent(ctx.stamp, replicaSet, pod.metadata?.name ?? "", false));
}
