import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export function buildPodDisruptionBudget(
  stamp: Stamp,
  namespace: string,
  name: string,
  selector: Record<string, string>,
  replicas: number,
): KubeObject {
  const meta = objectMeta(stamp, name, { namespace, generation: 1 });
  const minAvailable = Math.max(1, replicas - 1);
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta,
    spec: { minAvailable, selector: { matchLabels: { ...selector } } },
    status: {
      conditions: [
        {
          type: "DisruptionAllowed",
          status: replicas > minAvailable ? "True" : "False",
          reason: replicas > minAvailable ? "SufficientPods" : "InsufficientPods",
          message: "",
          observedGeneration: 1,
          lastTransitionTime: meta.creationTimestamp,
        },
      ],
      currentHealthy: replicas,
      desiredHealthy: minAvailable,
      disruptionsAllowed: Math.max(0, replicas - minAvailable),
      expectedPods: replicas,
      observedGeneration: 1,
    },
  };
}

export function buildHorizontalPodAutoscaler(
  stamp: Stamp,
  namespace: string,
  deployment: string,
  replicas: number,
): KubeObject {
  const meta = objectMeta(stamp, deployment, { namespace });
  const time = meta.creationTimestamp;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta,
    spec: {
      maxReplicas: Math.max(replicas * 3, 3),
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
      minReplicas: replicas,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment },
    },
    status: {
      conditions: [
        { type: "AbleToScale", status: "True", reason: "ReadyForNewScale", lastTransitionTime: time },
        { type: "ScalingActive", status: "True", reason: "ValidMetricFound", lastTransitionTime: time },
        { type: "ScalingLimited", status: "False", reason: "DesiredWithinRange", lastTransitionTime: time },
      ],
      currentMetrics: [
        {
          type: "Resource",
          resource: { name: "cpu", current: { averageUtilization: 23, averageValue: "23m" } },
        },
      ],
      currentReplicas: replicas,
      desiredReplicas: replicas,
    },
  };
}

export function buildPriorityClass(
  stamp: Stamp,
  name: string,
  value: number,
  description: string,
): KubeObject {
  return {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: objectMeta(stamp, name),
    description,
    preemptionPolicy: "PreemptLowerPriority",
    value,
  };
}
