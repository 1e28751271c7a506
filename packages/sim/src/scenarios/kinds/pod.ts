import type { KubeObject, OwnerReference } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { type MetaOptions, objectMeta } from "../stamp.js";
import { imageDigest, qualifiedImage, repositoryOf } from "./image.js";

export interface PodPlacement {
  nodeName: string;
  hostIp: string;
  /** Omitted for pods on the host network, which take the node's address. */
  podIp: string;
}

export interface PodOptions {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: OwnerReference;
  generateName?: string;
  /** A fresh spec (from a template); the pod takes ownership of it. */
  spec: Record<string, unknown>;
  placement: PodPlacement;
  /** Finished pods (a Job's) are Succeeded with terminated containers. */
  phase?: "Running" | "Succeeded" | "Pending";
  hostNetwork?: boolean;
  /** Static (mirror) pods run without a service account or its token volume. */
  staticPod?: boolean;
}

const notReadyTolerations = () => [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

function apiAccessVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  };
}

function condition(type: string, status: string, time: string): Record<string, unknown> {
  return { type, status, lastProbeTime: null, lastTransitionTime: time };
}

function containerStatus(
  stamp: Stamp,
  container: Record<string, unknown>,
  phase: string,
  time: string,
): Record<string, unknown> {
  const image = typeof container.image === "string" ? container.image : "";
  const digest = imageDigest(image);
  const running = phase === "Running";
  const state =
    phase === "Pending"
      ? { waiting: { reason: "ContainerCreating" } }
      : running
        ? { running: { startedAt: time } }
        : {
            terminated: {
              containerID: "",
              exitCode: 0,
              reason: "Completed",
              startedAt: time,
              finishedAt: time,
            },
          };
  const status: Record<string, unknown> = {
    name: container.name,
    image: qualifiedImage(image),
    imageID: `${repositoryOf(qualifiedImage(image))}@${digest}`,
    lastState: {},
    ready: running,
    restartCount: 0,
    started: running,
    state,
  };
  if (phase !== "Pending") {
    const id = `containerd://${stamp.random.hex(64)}`;
    status.containerID = id;
    if ("terminated" in state && state.terminated) state.terminated.containerID = id;
  }
  return status;
}

/** A scheduled pod with the fields admission, the scheduler and the kubelet fill in. */
export function buildPod(stamp: Stamp, options: PodOptions): KubeObject {
  const metaOptions: MetaOptions = { namespace: options.namespace, labels: options.labels };
  if (options.annotations) metaOptions.annotations = options.annotations;
  if (options.owner) metaOptions.ownerReferences = [options.owner];
  if (options.generateName) metaOptions.generateName = options.generateName;
  const meta = objectMeta(stamp, options.name, metaOptions);
  const created = meta.creationTimestamp ?? stamp.timestamp();
  const spec = options.spec;
  const containers = Array.isArray(spec.containers) ? (spec.containers as Record<string, unknown>[]) : [];
  if (!options.staticPod) {
    const volumeName = `kube-api-access-${stamp.random.suffix(5)}`;
    for (const c of containers) {
      const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as unknown[]) : [];
      mounts.push({
        name: volumeName,
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
        readOnly: true,
      });
      c.volumeMounts = mounts;
    }
    const volumes = Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : [];
    volumes.push(apiAccessVolume(volumeName));
    spec.volumes = volumes;
  }
  spec.nodeName = options.placement.nodeName;
  spec.enableServiceLinks = true;
  spec.preemptionPolicy = "PreemptLowerPriority";
  spec.priority = typeof spec.priorityClassName === "string" ? 2000001000 : 0;
  if (!options.staticPod) {
    if (typeof spec.serviceAccountName !== "string") spec.serviceAccountName = "default";
    spec.serviceAccount = spec.serviceAccountName;
  }
  if (!Array.isArray(spec.tolerations)) spec.tolerations = notReadyTolerations();

  const phase = options.phase ?? "Running";
  const ready = phase === "Running" ? "True" : "False";
  const podIp = options.hostNetwork ? options.placement.hostIp : options.placement.podIp;
  const status: Record<string, unknown> = {
    conditions: [
      condition("PodReadyToStartContainers", phase === "Pending" ? "False" : "True", created),
      condition("Initialized", "True", created),
      condition("Ready", ready, created),
      condition("ContainersReady", ready, created),
      condition("PodScheduled", "True", created),
    ],
    containerStatuses: containers.map((c) => containerStatus(stamp, c, phase, created)),
    hostIP: options.placement.hostIp,
    hostIPs: [{ ip: options.placement.hostIp }],
    phase,
    qosClass: "Burstable",
    startTime: created,
  };
  if (phase !== "Pending") {
    status.podIP = podIp;
    status.podIPs = [{ ip: podIp }];
  }
  return { apiVersion: "v1", kind: "Pod", metadata: meta, spec, status };
}
