import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { controllerRef, objectMeta } from "../stamp.js";

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number | string;
  protocol?: string;
}

export interface ServiceOptions {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Omitted for a service without a selector (e.g. "kubernetes"). */
  selector?: Record<string, string>;
  /** "None" for a headless service. */
  clusterIp: string;
  ports: ServicePort[];
  type?: "ClusterIP" | "NodePort" | "LoadBalancer";
}

export function buildService(stamp: Stamp, options: ServiceOptions): KubeObject {
  const spec: Record<string, unknown> = {
    clusterIP: options.clusterIp,
    clusterIPs: [options.clusterIp],
    internalTrafficPolicy: "Cluster",
    ipFamilies: ["IPv4"],
    ipFamilyPolicy: "SingleStack",
    ports: options.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol ?? "TCP",
      targetPort: p.targetPort,
    })),
    sessionAffinity: "None",
    type: options.type ?? "ClusterIP",
  };
  if (options.selector) spec.selector = { ...options.selector };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(stamp, options.name, {
      namespace: options.namespace,
      labels: { ...options.labels },
    }),
    spec,
    status: { loadBalancer: {} },
  };
}

/** A ready backend of a service. */
export interface EndpointTarget {
  ip: string;
  nodeName?: string;
  zone?: string;
  /** The pod behind the address; absent for the API server's own endpoints. */
  pod?: { name: string; namespace: string; uid: string };
}

/** How endpoints resolve a service's ports: a named targetPort becomes the pods' container port. */
export interface EndpointOptions {
  /** Container ports by name, for services whose targetPort is a name. */
  namedPorts?: Record<string, number>;
  /** The "kubernetes" service's slice, which the API server keeps itself. */
  managedByApiServer?: boolean;
}

function ports(service: KubeObject, namedPorts: Record<string, number> | undefined) {
  const spec = service.spec as { ports?: ServicePort[] } | undefined;
  return (spec?.ports ?? []).map((p) => ({
    name: p.name,
    port: typeof p.targetPort === "number" ? p.targetPort : (namedPorts?.[p.targetPort] ?? p.port),
    protocol: p.protocol ?? "TCP",
  }));
}

/** The labels the EndpointSlice controller puts on every slice of a service. */
export function sliceLabels(service: KubeObject): Record<string, string> {
  return {
    ...(service.metadata?.labels ?? {}),
    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    "kubernetes.io/service-name": service.metadata?.name ?? "",
  };
}

/** One EndpointSlice entry, as the controller writes it for a ready pod. */
export function sliceEndpoint(target: EndpointTarget): Record<string, unknown> {
  const endpoint: Record<string, unknown> = {
    addresses: [target.ip],
    conditions: { ready: true, serving: true, terminating: false },
  };
  if (target.nodeName) endpoint.nodeName = target.nodeName;
  if (target.pod) {
    endpoint.targetRef = {
      kind: "Pod",
      name: target.pod.name,
      namespace: target.pod.namespace,
      uid: target.pod.uid,
    };
  }
  if (target.zone) endpoint.zone = target.zone;
  return endpoint;
}

export function buildEndpointSlice(
  stamp: Stamp,
  service: KubeObject,
  targets: readonly EndpointTarget[],
  options: EndpointOptions = {},
): KubeObject {
  const name = service.metadata?.name ?? "";
  const managedByApiServer = options.managedByApiServer ?? false;
  // The API server itself keeps the "kubernetes" service's slice, named after it and unowned.
  const labels = managedByApiServer
    ? { "endpointslice.kubernetes.io/skip-mirror": "true", "kubernetes.io/service-name": name }
    : sliceLabels(service);
  const meta = managedByApiServer
    ? objectMeta(stamp, name, { namespace: service.metadata?.namespace ?? "default", labels })
    : objectMeta(stamp, `${name}-${stamp.random.suffix(5)}`, {
        namespace: service.metadata?.namespace ?? "default",
        generateName: `${name}-`,
        labels,
        annotations: { "endpoints.kubernetes.io/last-change-trigger-time": stamp.timestamp() },
        ownerReferences: [controllerRef(service)],
        generation: 1,
      });
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: meta,
    addressType: "IPv4",
    endpoints: targets.map(sliceEndpoint),
    ports: ports(service, options.namedPorts),
  };
}

/** The core/v1 Endpoints object the endpoints controller still maintains alongside the slices. */
export function buildEndpoints(
  stamp: Stamp,
  service: KubeObject,
  targets: readonly EndpointTarget[],
  options: EndpointOptions = {},
): KubeObject {
  const name = service.metadata?.name ?? "";
  const subset: Record<string, unknown> = {
    addresses: targets.map((t) => {
      const address: Record<string, unknown> = { ip: t.ip };
      if (t.nodeName) address.nodeName = t.nodeName;
      if (t.pod)
        address.targetRef = { kind: "Pod", name: t.pod.name, namespace: t.pod.namespace, uid: t.pod.uid };
      return address;
    }),
    ports: ports(service, options.namedPorts),
  };
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: objectMeta(stamp, name, {
      namespace: service.metadata?.namespace ?? "default",
      labels: { ...(service.metadata?.labels ?? {}) },
      annotations: { "endpoints.kubernetes.io/last-change-trigger-time": stamp.timestamp() },
    }),
    subsets: targets.length > 0 ? [subset] : [],
  };
}
