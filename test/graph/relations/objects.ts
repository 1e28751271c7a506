import type { KubeObject, ResourceType } from "../../../src/kube/types.js";
import { resourceType } from "../resource-types.js";

/** The types the relation tests feed, as discovery describes them. */
export const types = {
  pods: resourceType("pods", "Pod"),
  nodes: resourceType("nodes", "Node", { namespaced: false }),
  namespaces: resourceType("namespaces", "Namespace", { namespaced: false }),
  services: resourceType("services", "Service"),
  configmaps: resourceType("configmaps", "ConfigMap"),
  secrets: resourceType("secrets", "Secret"),
  serviceaccounts: resourceType("serviceaccounts", "ServiceAccount"),
  pvcs: resourceType("persistentvolumeclaims", "PersistentVolumeClaim"),
  pvs: resourceType("persistentvolumes", "PersistentVolume", { namespaced: false }),
  storageclasses: resourceType("storageclasses", "StorageClass", {
    group: "storage.k8s.io",
    namespaced: false,
  }),
  events: resourceType("events", "Event"),
  deployments: resourceType("deployments", "Deployment", { group: "apps" }),
  replicasets: resourceType("replicasets", "ReplicaSet", { group: "apps" }),
  endpointslices: resourceType("endpointslices", "EndpointSlice", { group: "discovery.k8s.io" }),
  ingresses: resourceType("ingresses", "Ingress", { group: "networking.k8s.io" }),
  ingressclasses: resourceType("ingressclasses", "IngressClass", {
    group: "networking.k8s.io",
    namespaced: false,
  }),
  networkpolicies: resourceType("networkpolicies", "NetworkPolicy", { group: "networking.k8s.io" }),
  pdbs: resourceType("poddisruptionbudgets", "PodDisruptionBudget", { group: "policy" }),
  hpas: resourceType("horizontalpodautoscalers", "HorizontalPodAutoscaler", {
    group: "autoscaling",
    version: "v2",
  }),
  roles: resourceType("roles", "Role", { group: "rbac.authorization.k8s.io" }),
  clusterroles: resourceType("clusterroles", "ClusterRole", {
    group: "rbac.authorization.k8s.io",
    namespaced: false,
  }),
  rolebindings: resourceType("rolebindings", "RoleBinding", { group: "rbac.authorization.k8s.io" }),
  clusterrolebindings: resourceType("clusterrolebindings", "ClusterRoleBinding", {
    group: "rbac.authorization.k8s.io",
    namespaced: false,
  }),
  webhooks: resourceType("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", {
    group: "admissionregistration.k8s.io",
    namespaced: false,
  }),
  crds: resourceType("customresourcedefinitions", "CustomResourceDefinition", {
    group: "apiextensions.k8s.io",
    namespaced: false,
  }),
  gatewayclasses: resourceType("gatewayclasses", "GatewayClass", {
    group: "gateway.networking.k8s.io",
    namespaced: false,
  }),
  gateways: resourceType("gateways", "Gateway", { group: "gateway.networking.k8s.io" }),
  httproutes: resourceType("httproutes", "HTTPRoute", { group: "gateway.networking.k8s.io" }),
  widgets: resourceType("widgets", "Widget", { group: "example.com", version: "v1alpha1" }),
} satisfies Record<string, ResourceType>;

export type TypeName = keyof typeof types;

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  owners?: { kind: string; apiVersion: string; name: string; uid: string; controller?: boolean }[];
}

/** An object with the metadata the API server fills in; `body` is everything but metadata. */
export function object(type: TypeName, meta: Meta, body: Record<string, unknown> = {}, rv = "1"): KubeObject {
  const t = types[type];
  return {
    apiVersion: t.group === "" ? t.version : `${t.group}/${t.version}`,
    kind: t.kind,
    metadata: {
      name: meta.name,
      ...(t.namespaced ? { namespace: meta.namespace ?? "default" } : {}),
      uid: meta.uid ?? `${type}-${meta.namespace ?? ""}-${meta.name}`,
      resourceVersion: rv,
      creationTimestamp: "2026-12-01T10:00:00Z",
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.owners
        ? { ownerReferences: meta.owners.map((o) => ({ blockOwnerDeletion: true, ...o })) }
        : {}),
    },
    ...body,
  };
}

/** A pod as the scheduler and the ServiceAccount admission leave it: projected token volume included. */
export function podSpec(options: {
  node?: string;
  serviceAccount?: string;
  configMaps?: string[];
  secrets?: string[];
  claims?: string[];
  envConfigMap?: string;
  envFromSecret?: string;
  pullSecret?: string;
}): Record<string, unknown> {
  return {
    ...(options.node ? { nodeName: options.node } : {}),
    serviceAccountName: options.serviceAccount ?? "default",
    volumes: [
      {
        name: "kube-api-access-x2k9p",
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            {
              downwardAPI: {
                items: [
                  { path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
                ],
              },
            },
          ],
        },
      },
      ...(options.configMaps ?? []).map((name) => ({
        name: `cm-${name}`,
        configMap: { name, defaultMode: 420 },
      })),
      ...(options.secrets ?? []).map((secretName) => ({ name: `s-${secretName}`, secret: { secretName } })),
      ...(options.claims ?? []).map((claimName) => ({
        name: `pvc-${claimName}`,
        persistentVolumeClaim: { claimName },
      })),
    ],
    containers: [
      {
        name: "app",
        image: "ghcr.io/stefanprodan/podinfo:6.7.0",
        env: [
          { name: "PLAIN", value: "x" },
          ...(options.envConfigMap
            ? [{ name: "FROM_CM", valueFrom: { configMapKeyRef: { name: options.envConfigMap, key: "k" } } }]
            : []),
        ],
        ...(options.envFromSecret ? { envFrom: [{ secretRef: { name: options.envFromSecret } }] } : {}),
      },
    ],
    ...(options.pullSecret ? { imagePullSecrets: [{ name: options.pullSecret }] } : {}),
  };
}
