import type { RelationRuleInput } from "./rule-schema.js";

// The relations meshsync knows without configuration, written in the same rules an operator adds for
// their CRDs (rule-schema.ts). Types are stable names: clients branch on them.

/** Where a pod spec sits in each kind that carries one: a Pod itself, and every template of one. */
const podSpecs: readonly { kinds: readonly [group: string, kind: string][]; prefix: string }[] = [
  { kinds: [["", "Pod"]], prefix: "spec" },
  {
    kinds: [
      ["apps", "Deployment"],
      ["apps", "ReplicaSet"],
      ["apps", "StatefulSet"],
      ["apps", "DaemonSet"],
      ["batch", "Job"],
      ["", "ReplicationController"],
    ],
    prefix: "spec.template.spec",
  },
  { kinds: [["batch", "CronJob"]], prefix: "spec.jobTemplate.spec.template.spec" },
  { kinds: [["", "PodTemplate"]], prefix: "template.spec" },
];

const podSpecKinds = podSpecs.flatMap(({ kinds }) => kinds.map(([group, kind]) => ({ group, kind })));
const containerLists = ["containers", "initContainers", "ephemeralContainers"];

/** `paths(suffix)` for every pod spec, e.g. spec.volumes[].configMap.name and spec.template.spec.volumes[]… */
function inPodSpecs(...suffixes: string[]): string[] {
  return podSpecs.flatMap(({ prefix }) => suffixes.map((suffix) => `${prefix}.${suffix}`));
}

function inContainers(...suffixes: string[]): string[] {
  return inPodSpecs(...containerLists.flatMap((list) => suffixes.map((suffix) => `${list}[].${suffix}`)));
}

const core = (kind: string) => ({ kind, group: "" });
const gatewayApi = "gateway.networking.k8s.io";

export const builtinRelationRules: readonly RelationRuleInput[] = [
  { type: "owns", owner: {} },
  { type: "defined-by", definition: true },

  { type: "runs-on", from: [core("Pod")], ref: { paths: ["spec.nodeName"], to: core("Node") } },
  {
    type: "service-account",
    from: podSpecKinds,
    ref: { paths: inPodSpecs("serviceAccountName"), to: core("ServiceAccount") },
  },
  {
    type: "mounts",
    from: podSpecKinds,
    ref: {
      paths: inPodSpecs("volumes[].configMap.name", "volumes[].projected.sources[].configMap.name"),
      to: core("ConfigMap"),
    },
  },
  {
    type: "mounts",
    from: podSpecKinds,
    ref: {
      paths: inPodSpecs("volumes[].secret.secretName", "volumes[].projected.sources[].secret.name"),
      to: core("Secret"),
    },
  },
  {
    type: "mounts",
    from: podSpecKinds,
    ref: {
      paths: inPodSpecs("volumes[].persistentVolumeClaim.claimName"),
      to: core("PersistentVolumeClaim"),
    },
  },
  {
    type: "env-from",
    from: podSpecKinds,
    ref: {
      paths: inContainers("env[].valueFrom.configMapKeyRef.name", "envFrom[].configMapRef.name"),
      to: core("ConfigMap"),
    },
  },
  {
    type: "env-from",
    from: podSpecKinds,
    ref: {
      paths: inContainers("env[].valueFrom.secretKeyRef.name", "envFrom[].secretRef.name"),
      to: core("Secret"),
    },
  },
  {
    type: "pull-secret",
    from: podSpecKinds,
    ref: { paths: inPodSpecs("imagePullSecrets[].name"), to: core("Secret") },
  },

  {
    type: "bound-to",
    from: [core("PersistentVolumeClaim")],
    ref: { paths: ["spec.volumeName"], to: core("PersistentVolume") },
  },
  {
    type: "storage-class",
    from: [core("PersistentVolume"), core("PersistentVolumeClaim")],
    ref: { paths: ["spec.storageClassName"], to: { kind: "StorageClass", group: "storage.k8s.io" } },
  },

  {
    type: "selects",
    from: [core("Service")],
    selector: { paths: ["spec.selector"], form: "map", to: core("Pod") },
  },
  {
    type: "selects",
    from: [{ kind: "PodDisruptionBudget", group: "policy" }],
    selector: { paths: ["spec.selector"], to: core("Pod") },
  },
  {
    type: "selects",
    from: [{ kind: "NetworkPolicy", group: "networking.k8s.io" }],
    selector: { paths: ["spec.podSelector"], to: core("Pod") },
  },
  {
    type: "allows-from",
    from: [{ kind: "NetworkPolicy", group: "networking.k8s.io" }],
    selector: {
      paths: ["spec.ingress[].from[]"],
      objects: "podSelector",
      namespaces: "namespaceSelector",
      to: core("Pod"),
    },
  },
  {
    type: "allows-to",
    from: [{ kind: "NetworkPolicy", group: "networking.k8s.io" }],
    selector: {
      paths: ["spec.egress[].to[]"],
      objects: "podSelector",
      namespaces: "namespaceSelector",
      to: core("Pod"),
    },
  },

  {
    type: "endpoints-for",
    from: [{ kind: "EndpointSlice", group: "discovery.k8s.io" }],
    ref: { paths: ['metadata.labels["kubernetes.io/service-name"]'], to: core("Service") },
  },
  {
    type: "targets",
    from: [{ kind: "EndpointSlice", group: "discovery.k8s.io" }],
    ref: { paths: ["endpoints[].targetRef"], kind: "kind", namespace: "namespace", uid: "uid" },
  },
  {
    type: "targets",
    from: [core("Endpoints")],
    ref: {
      paths: ["subsets[].addresses[].targetRef", "subsets[].notReadyAddresses[].targetRef"],
      kind: "kind",
      namespace: "namespace",
      uid: "uid",
    },
  },

  {
    type: "routes-to",
    from: [{ kind: "Ingress", group: "networking.k8s.io" }],
    ref: {
      paths: ["spec.rules[].http.paths[].backend.service.name", "spec.defaultBackend.service.name"],
      to: core("Service"),
    },
  },
  {
    type: "ingress-class",
    from: [{ kind: "Ingress", group: "networking.k8s.io" }],
    ref: { paths: ["spec.ingressClassName"], to: { kind: "IngressClass", group: "networking.k8s.io" } },
  },
  {
    type: "tls-secret",
    from: [{ kind: "Ingress", group: "networking.k8s.io" }],
    ref: { paths: ["spec.tls[].secretName"], to: core("Secret") },
  },

  {
    type: "scales",
    from: [{ kind: "HorizontalPodAutoscaler", group: "autoscaling" }],
    ref: { paths: ["spec.scaleTargetRef"], kind: "kind", apiVersion: "apiVersion" },
  },

  {
    type: "binds-role",
    from: [
      { kind: "RoleBinding", group: "rbac.authorization.k8s.io" },
      { kind: "ClusterRoleBinding", group: "rbac.authorization.k8s.io" },
    ],
    ref: { paths: ["roleRef"], kind: "kind", group: "apiGroup" },
  },
  {
    type: "binds-subject",
    from: [
      { kind: "RoleBinding", group: "rbac.authorization.k8s.io" },
      { kind: "ClusterRoleBinding", group: "rbac.authorization.k8s.io" },
    ],
    ref: { paths: ["subjects[]"], kind: "kind", group: "apiGroup", namespace: "namespace" },
  },

  {
    type: "calls",
    from: [
      { kind: "MutatingWebhookConfiguration", group: "admissionregistration.k8s.io" },
      { kind: "ValidatingWebhookConfiguration", group: "admissionregistration.k8s.io" },
    ],
    ref: { paths: ["webhooks[].clientConfig.service"], to: core("Service"), namespace: "namespace" },
  },
  {
    type: "calls",
    from: [{ kind: "CustomResourceDefinition", group: "apiextensions.k8s.io" }],
    ref: {
      paths: ["spec.conversion.webhook.clientConfig.service"],
      to: core("Service"),
      namespace: "namespace",
    },
  },
  {
    type: "calls",
    from: [{ kind: "APIService", group: "apiregistration.k8s.io" }],
    ref: { paths: ["spec.service"], to: core("Service"), namespace: "namespace" },
  },

  {
    type: "gateway-class",
    from: [{ kind: "Gateway", group: gatewayApi }],
    ref: { paths: ["spec.gatewayClassName"], to: { kind: "GatewayClass", group: gatewayApi } },
  },
  {
    type: "attaches-to",
    from: [
      { kind: "HTTPRoute", group: gatewayApi },
      { kind: "GRPCRoute", group: gatewayApi },
    ],
    ref: {
      paths: ["spec.parentRefs[]"],
      to: { kind: "Gateway", group: gatewayApi },
      kind: "kind",
      group: "group",
      namespace: "namespace",
    },
  },
  {
    type: "routes-to",
    from: [
      { kind: "HTTPRoute", group: gatewayApi },
      { kind: "GRPCRoute", group: gatewayApi },
    ],
    ref: {
      paths: ["spec.rules[].backendRefs[]"],
      to: core("Service"),
      kind: "kind",
      group: "group",
      namespace: "namespace",
    },
  },

  {
    type: "about",
    from: [core("Event")],
    ref: {
      paths: ["involvedObject"],
      kind: "kind",
      apiVersion: "apiVersion",
      namespace: "namespace",
      uid: "uid",
    },
  },
  {
    type: "about",
    from: [{ kind: "Event", group: "events.k8s.io" }],
    ref: { paths: ["regarding"], kind: "kind", apiVersion: "apiVersion", namespace: "namespace", uid: "uid" },
  },
];
