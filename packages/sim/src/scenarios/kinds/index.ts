// Factories for single objects of each kind, filled the way their controllers fill them. Each call
// builds a fresh tree; nothing is shared between objects.
export { type AppShape, appLabels, templateSpec } from "./app-shape.js";
export {
  buildConfigMap,
  buildRootCaConfigMap,
  buildSecret,
  buildServiceAccount,
  fakeCertificate,
} from "./config.js";
export { buildCrd, buildCustomResource, type CrdOptions } from "./crd.js";
export { buildControllerRevision, buildDaemonSet, daemonPodSpec } from "./daemonset.js";
export { buildDeployment, buildReplicaSet } from "./deployment.js";
export {
  buildEvent,
  type EventSource,
  podStartEvents,
  replicaSetPodEvent,
  scalingEvent,
  scheduledEvent,
  unhealthyEvent,
} from "./event.js";
export { imageDigest, qualifiedImage, repositoryOf } from "./image.js";
export { buildCronJob, buildJob, jobTemplateSpec } from "./job.js";
export { buildNamespace } from "./namespace.js";
export { buildIngress, buildIngressClass, buildNamespaceIsolation, ingressClassName } from "./networking.js";
export { buildLeaderLease, buildNode, buildNodeLease, nodeZone, zones } from "./node.js";
export { buildPod, type PodOptions, type PodPlacement } from "./pod.js";
export { buildHorizontalPodAutoscaler, buildPodDisruptionBudget, buildPriorityClass } from "./policy.js";
export {
  buildClusterRole,
  buildClusterRoleBinding,
  buildRole,
  buildRoleBinding,
  type PolicyRule,
  type Subject,
} from "./rbac.js";
export type { EndpointOptions } from "./service.js";
export {
  buildEndpointSlice,
  buildEndpoints,
  buildService,
  type EndpointTarget,
  type ServiceOptions,
  sliceEndpoint,
  sliceLabels,
} from "./service.js";
export { buildStatefulSet } from "./statefulset.js";
export { buildBoundClaim, buildStorageClass, storageClassName } from "./storage.js";
