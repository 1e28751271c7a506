import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export interface EventSource {
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

/** A core/v1 Event about an object, as a controller's or kubelet's event recorder writes it. */
export function buildEvent(
  stamp: Stamp,
  involved: KubeObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  source: EventSource,
  fieldPath?: string,
): KubeObject {
  const name = involved.metadata?.name ?? "";
  // Cluster-scoped objects' events live in "default", as the recorder puts them.
  const namespace = involved.metadata?.namespace ?? "default";
  const meta = objectMeta(stamp, `${name}.${stamp.random.hex(16)}`, { namespace });
  const time = meta.creationTimestamp ?? stamp.timestamp();
  const involvedObject: Record<string, unknown> = {
    apiVersion: involved.apiVersion,
    kind: involved.kind,
    name,
    uid: involved.metadata?.uid,
  };
  if (involved.metadata?.namespace) involvedObject.namespace = involved.metadata.namespace;
  if (fieldPath) involvedObject.fieldPath = fieldPath;
  const eventSource: Record<string, unknown> = { component: source.component };
  if (source.host) eventSource.host = source.host;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: meta,
    involvedObject,
    reason,
    message,
    source: eventSource,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: source.component,
    reportingInstance: source.host ?? "",
  };
}

function firstContainer(pod: KubeObject): { name: string; image: string } {
  const spec = pod.spec as { containers?: { name?: unknown; image?: unknown }[] } | undefined;
  const container = spec?.containers?.[0];
  return {
    name: typeof container?.name === "string" ? container.name : "",
    image: typeof container?.image === "string" ? container.image : "",
  };
}

function nodeOf(pod: KubeObject): string {
  const spec = pod.spec as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === "string" ? spec.nodeName : "";
}

/** The scheduler's event when it binds a pod. */
export function scheduledEvent(stamp: Stamp, pod: KubeObject): KubeObject {
  const node = nodeOf(pod);
  const who = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  return buildEvent(stamp, pod, "Normal", "Scheduled", `Successfully assigned ${who} to ${node}`, {
    component: "default-scheduler",
  });
}

/** The kubelet's events while it starts a pod's first container. */
export function podStartEvents(stamp: Stamp, pod: KubeObject): KubeObject[] {
  const { name, image } = firstContainer(pod);
  const source = { component: "kubelet", host: nodeOf(pod) };
  const fieldPath = `spec.containers{${name}}`;
  return [
    buildEvent(
      stamp,
      pod,
      "Normal",
      "Pulled",
      `Container image "${image}" already present on machine`,
      source,
      fieldPath,
    ),
    buildEvent(stamp, pod, "Normal", "Created", `Created container: ${name}`, source, fieldPath),
    buildEvent(stamp, pod, "Normal", "Started", `Started container ${name}`, source, fieldPath),
  ];
}

/** The kubelet's warning when a container keeps failing its readiness probe. */
export function unhealthyEvent(stamp: Stamp, pod: KubeObject): KubeObject {
  const { name } = firstContainer(pod);
  return buildEvent(
    stamp,
    pod,
    "Warning",
    "Unhealthy",
    "Readiness probe failed: HTTP probe failed with statuscode: 503",
    { component: "kubelet", host: nodeOf(pod) },
    `spec.containers{${name}}`,
  );
}

/** The deployment controller's event when it resizes a ReplicaSet. */
export function scalingEvent(
  stamp: Stamp,
  deployment: KubeObject,
  replicaSet: string,
  from: number,
  to: number,
) {
  const direction = to >= from ? "up" : "down";
  return buildEvent(
    stamp,
    deployment,
    "Normal",
    "ScalingReplicaSet",
    `Scaled ${direction} replica set ${replicaSet} from ${from} to ${to}`,
    { component: "deployment-controller" },
  );
}

/** The ReplicaSet controller's event for a pod it created or deleted. */
export function replicaSetPodEvent(
  stamp: Stamp,
  replicaSet: KubeObject,
  pod: string,
  created: boolean,
): KubeObject {
  return created
    ? buildEvent(stamp, replicaSet, "Normal", "SuccessfulCreate", `Created pod: ${pod}`, {
        component: "replicaset-controller",
      })
    : buildEvent(stamp, replicaSet, "Normal", "SuccessfulDelete", `Deleted pod: ${pod}`, {
        component: "replicaset-controller",
      });
}
