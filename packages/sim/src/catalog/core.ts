import { groupVersion } from "./define.js";
import type { SimResourceType } from "./types.js";

const { namespaced, cluster } = groupVersion("", "v1");
const status = ["status"];

/** The core group, /api/v1. */
export const coreTypes: readonly SimResourceType[] = [
  namespaced("bindings", "Binding", { verbs: ["create"] }),
  cluster("componentstatuses", "ComponentStatus", { verbs: ["get", "list"], shortNames: ["cs"] }),
  namespaced("configmaps", "ConfigMap", { shortNames: ["cm"] }),
  namespaced("endpoints", "Endpoints", { shortNames: ["ep"] }),
  namespaced("events", "Event", { shortNames: ["ev"] }),
  namespaced("limitranges", "LimitRange", { shortNames: ["limits"] }),
  cluster("namespaces", "Namespace", {
    // A namespace is deleted one at a time (it has a finalizer), so no deletecollection.
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    shortNames: ["ns"],
    subresources: ["finalize", "status"],
  }),
  cluster("nodes", "Node", { shortNames: ["no"], subresources: ["proxy", "status"] }),
  namespaced("persistentvolumeclaims", "PersistentVolumeClaim", {
    shortNames: ["pvc"],
    subresources: status,
  }),
  cluster("persistentvolumes", "PersistentVolume", { shortNames: ["pv"], subresources: status }),
  namespaced("pods", "Pod", {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      "attach",
      "binding",
      "ephemeralcontainers",
      "eviction",
      "exec",
      "log",
      "portforward",
      "proxy",
      "status",
    ],
  }),
  namespaced("podtemplates", "PodTemplate"),
  namespaced("replicationcontrollers", "ReplicationController", {
    shortNames: ["rc"],
    categories: ["all"],
    subresources: ["scale", "status"],
  }),
  namespaced("resourcequotas", "ResourceQuota", { shortNames: ["quota"], subresources: status }),
  namespaced("secrets", "Secret"),
  namespaced("serviceaccounts", "ServiceAccount", { shortNames: ["sa"], subresources: ["token"] }),
  namespaced("services", "Service", {
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["proxy", "status"],
  }),
];
