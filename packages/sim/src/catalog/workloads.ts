import { groupVersion } from "./define.js";
import type { SimResourceType } from "./types.js";

const apps = groupVersion("apps", "v1");
const batch = groupVersion("batch", "v1");
const autoscalingV2 = groupVersion("autoscaling", "v2");
const autoscalingV1 = groupVersion("autoscaling", "v1", false);
const policy = groupVersion("policy", "v1");

const all = ["all"];
const scalable = ["scale", "status"];
const status = ["status"];

/** apps/v1, batch/v1, autoscaling/v2 + v1, policy/v1. */
export const workloadTypes: readonly SimResourceType[] = [
  apps.namespaced("controllerrevisions", "ControllerRevision"),
  apps.namespaced("daemonsets", "DaemonSet", { shortNames: ["ds"], categories: all, subresources: status }),
  apps.namespaced("deployments", "Deployment", {
    shortNames: ["deploy"],
    categories: all,
    subresources: scalable,
  }),
  apps.namespaced("replicasets", "ReplicaSet", {
    shortNames: ["rs"],
    categories: all,
    subresources: scalable,
  }),
  apps.namespaced("statefulsets", "StatefulSet", {
    shortNames: ["sts"],
    categories: all,
    subresources: scalable,
  }),
  batch.namespaced("cronjobs", "CronJob", { shortNames: ["cj"], categories: all, subresources: status }),
  batch.namespaced("jobs", "Job", { categories: all, subresources: status }),
  autoscalingV2.namespaced("horizontalpodautoscalers", "HorizontalPodAutoscaler", {
    shortNames: ["hpa"],
    categories: all,
    subresources: status,
  }),
  autoscalingV1.namespaced("horizontalpodautoscalers", "HorizontalPodAutoscaler", {
    shortNames: ["hpa"],
    categories: all,
    subresources: status,
  }),
  policy.namespaced("poddisruptionbudgets", "PodDisruptionBudget", {
    shortNames: ["pdb"],
    subresources: status,
  }),
];
