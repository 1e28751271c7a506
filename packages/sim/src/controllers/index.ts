// The simulated cluster's own controllers for what clients create: the scheduler and kubelets that
// run pods, and the deployment and ReplicaSet controllers behind `kubectl create deployment`.
import type { KubeObject } from "../object-api.js";
import type { ObjectStore } from "../store/index.js";
import { defaultPodLifecycleDelays, PodLifecycle, type PodLifecycleDelays } from "./pod-lifecycle.js";
import { WorkloadControllers } from "./workloads.js";

export { bindPod, defaultPodLifecycleDelays, type PodLifecycleDelays } from "./pod-lifecycle.js";

export interface ClusterControllers {
  /** True for what these controllers run, which the churn must leave to them. */
  manages(object: KubeObject): boolean;
  stop(): void;
}

export function startControllers(
  store: ObjectStore,
  delays: PodLifecycleDelays = defaultPodLifecycleDelays,
): ClusterControllers {
  const pods = new PodLifecycle(store, delays);
  const workloads = new WorkloadControllers(store);
  return {
    manages: (object) => workloads.manages(object),
    stop() {
      pods.stop();
      workloads.stop();
    },
  };
}
