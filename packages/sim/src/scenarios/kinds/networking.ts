import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export const ingressClassName = "nginx";

export function buildIngressClass(stamp: Stamp): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: objectMeta(stamp, ingressClassName, {
      labels: { "app.kubernetes.io/component": "controller", "app.kubernetes.io/name": "ingress-nginx" },
      annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
    }),
    spec: { controller: "k8s.io/ingress-nginx" },
  };
}

export function buildIngress(
  stamp: Stamp,
  namespace: string,
  name: string,
  host: string,
  backends: readonly { path: string; service: string; port: string }[],
  tlsSecret: string | undefined,
  loadBalancerIp: string,
): KubeObject {
  const spec: Record<string, unknown> = {
    ingressClassName,
    rules: [
      {
        host,
        http: {
          paths: backends.map((b) => ({
            path: b.path,
            pathType: "Prefix",
            backend: { service: { name: b.service, port: { name: b.port } } },
          })),
        },
      },
    ],
  };
  if (tlsSecret) spec.tls = [{ hosts: [host], secretName: tlsSecret }];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: objectMeta(stamp, name, { namespace, generation: 1 }),
    spec,
    status: { loadBalancer: { ingress: [{ ip: loadBalancerIp }] } },
  };
}

/** Lets only pods of the same namespace reach the selected pods. */
export function buildNamespaceIsolation(stamp: Stamp, namespace: string): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: objectMeta(stamp, "allow-same-namespace", { namespace, generation: 1 }),
    spec: {
      ingress: [{ from: [{ podSelector: {} }] }],
      podSelector: {},
      policyTypes: ["Ingress"],
    },
  };
}
