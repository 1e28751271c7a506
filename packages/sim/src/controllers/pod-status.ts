// The pod status a kubelet writes, in its two steps: the pod accepted on the node (containers being
// created), then its containers running. Field names, condition order and values are those a v1.32
// kubelet with containerd reports (`kubectl get pod -o yaml` on a kind cluster).
import { createHash, randomBytes } from "node:crypto";
import { type Json, record, records } from "../json.js";
import type { KubeObject } from "../object-api.js";
import { imageDigest, qualifiedImage, repositoryOf } from "../scenarios/kinds/image.js";
import { qosClassOf } from "../store/index.js";

/** Where a pod runs: its node's address and the pod's own, from the node's pod range. */
export interface PodAddresses {
  hostIp: string;
  podIp: string;
}

/** containerd reports an untagged image with its implied tag. */
function reportedImage(image: string): string {
  const qualified = qualifiedImage(image);
  return repositoryOf(qualified) === qualified ? `${qualified}:latest` : qualified;
}

function condition(type: string, status: boolean, time: string, reason?: string, message?: string): Json {
  const written: Json = {
    type,
    status: status ? "True" : "False",
    lastProbeTime: null,
    lastTransitionTime: time,
  };
  if (reason) written.reason = reason;
  if (message) written.message = message;
  return written;
}

/** Keeps a condition's lastTransitionTime when its status did not change, as the kubelet does. */
function carryTransitions(next: Json[], previous: Json[]): Json[] {
  return next.map((entry) => {
    const before = previous.find((old) => old.type === entry.type);
    return before && before.status === entry.status && typeof before.lastTransitionTime === "string"
      ? { ...entry, lastTransitionTime: before.lastTransitionTime }
      : entry;
  });
}

function volumeMountsOf(container: Json): Json[] {
  return records(container.volumeMounts).map((mount) => ({
    mountPath: mount.mountPath,
    name: mount.name,
    ...(mount.readOnly === true ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
  }));
}

function containerNames(containers: Json[]): string {
  return `[${containers.map((c) => String(c.name ?? "")).join(" ")}]`;
}

function waitingStatus(container: Json, reason: string): Json {
  const status: Json = {
    image: reportedImage(String(container.image ?? "")),
    imageID: "",
    lastState: {},
    name: container.name,
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason } },
  };
  const mounts = volumeMountsOf(container);
  if (mounts.length > 0) status.volumeMounts = mounts;
  return status;
}

function containerId(): string {
  return `containerd://${randomBytes(32).toString("hex")}`;
}

function startedStatus(container: Json, state: Json, ready: boolean, id: string): Json {
  const image = reportedImage(String(container.image ?? ""));
  const status: Json = {
    containerID: id,
    image,
    imageID: `${repositoryOf(image)}@${imageDigest(image)}`,
    lastState: {},
    name: container.name,
    ready,
    restartCount: 0,
    started: !("terminated" in state),
    state,
  };
  const mounts = volumeMountsOf(container);
  if (mounts.length > 0) status.volumeMounts = mounts;
  return status;
}

/** The kubelet took the pod: sandbox being made, containers being created, not yet ready. */
export function acceptedStatus(pod: KubeObject, addresses: PodAddresses, time: string): Json {
  const spec = record(pod.spec);
  const previous = record(pod.status);
  const containers = records(spec.containers);
  const initContainers = records(spec.initContainers);
  const notReady = `containers with unready status: ${containerNames(containers)}`;
  const conditions = [
    condition("PodReadyToStartContainers", false, time),
    initContainers.length > 0
      ? condition(
          "Initialized",
          false,
          time,
          "ContainersNotInitialized",
          `containers with incomplete status: ${containerNames(initContainers)}`,
        )
      : condition("Initialized", true, time),
    condition("Ready", false, time, "ContainersNotReady", notReady),
    condition("ContainersReady", false, time, "ContainersNotReady", notReady),
    condition("PodScheduled", true, time),
  ];
  const status: Json = {
    conditions: carryTransitions(conditions, records(previous.conditions)),
    containerStatuses: containers.map((c) =>
      waitingStatus(c, initContainers.length > 0 ? "PodInitializing" : "ContainerCreating"),
    ),
    hostIP: addresses.hostIp,
    hostIPs: [{ ip: addresses.hostIp }],
    phase: "Pending",
    qosClass: typeof previous.qosClass === "string" ? previous.qosClass : qosClassOf(spec),
    startTime: time,
  };
  if (initContainers.length > 0) {
    status.initContainerStatuses = initContainers.map((c) => waitingStatus(c, "PodInitializing"));
  }
  return status;
}

/** Init containers done, every container running and (with no probe to wait for) ready. */
export function runningStatus(pod: KubeObject, addresses: PodAddresses, time: string): Json {
  const spec = record(pod.spec);
  const previous = record(pod.status);
  const containers = records(spec.containers);
  const initContainers = records(spec.initContainers);
  const startTime = typeof previous.startTime === "string" ? previous.startTime : time;
  const conditions = [
    condition("PodReadyToStartContainers", true, time),
    condition("Initialized", true, time),
    condition("Ready", true, time),
    condition("ContainersReady", true, time),
    condition("PodScheduled", true, time),
  ];
  const status: Json = {
    conditions: carryTransitions(conditions, records(previous.conditions)),
    containerStatuses: containers.map((c) =>
      startedStatus(c, { running: { startedAt: time } }, true, containerId()),
    ),
    hostIP: addresses.hostIp,
    hostIPs: [{ ip: addresses.hostIp }],
    phase: "Running",
    podIP: addresses.podIp,
    podIPs: [{ ip: addresses.podIp }],
    qosClass: typeof previous.qosClass === "string" ? previous.qosClass : qosClassOf(spec),
    startTime,
  };
  if (initContainers.length > 0) {
    status.initContainerStatuses = initContainers.map((c) => {
      const id = containerId();
      return startedStatus(
        c,
        {
          terminated: {
            containerID: id,
            exitCode: 0,
            finishedAt: time,
            reason: "Completed",
            startedAt: startTime,
          },
        },
        true,
        id,
      );
    });
  }
  return status;
}

/** A stable short hash of a pod template, spelled with the characters the deployment controller uses. */
export function templateHash(template: unknown): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const digest = createHash("sha256")
    .update(JSON.stringify(template ?? {}))
    .digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}
