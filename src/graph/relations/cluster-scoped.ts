/**
 * The built-in kinds that are cluster-scoped, for references read before discovery has named them
 * (or for clusters that do not serve them): a reference to one of these has no namespace.
 */
const clusterScoped = new Set([
  "/Node",
  "/Namespace",
  "/PersistentVolume",
  "/ComponentStatus",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
  "certificates.k8s.io/CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "gateway.networking.k8s.io/GatewayClass",
]);

/** False for a built-in cluster-scoped kind; undefined (not known here) for any other. */
export function builtinScope(group: string, kind: string): false | undefined {
  return clusterScoped.has(`${group}/${kind}`) ? false : undefined;
}

/**
 * The API groups kube-apiserver serves itself: a type outside them is a custom resource (or an
 * aggregated API's), which the `definition` rule relates to its CustomResourceDefinition.
 */
const builtinGroups = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
  "metrics.k8s.io",
]);

export const isBuiltinGroup = (group: string): boolean => builtinGroups.has(group);
