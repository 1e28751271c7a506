import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { controllerRef, objectMeta } from "../stamp.js";
import { type AppShape, appLabels, templateSpec } from "./app-shape.js";

function condition(type: string, reason: string, message: string, time: string) {
  return { type, status: "True", lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

export function buildDeployment(
  stamp: Stamp,
  namespace: string,
  shape: AppShape,
  replicas: number,
  revision: number,
): KubeObject {
  const labels = appLabels(shape);
  const meta = objectMeta(stamp, shape.name, {
    namespace,
    labels: appLabels(shape),
    annotations: { "deployment.kubernetes.io/revision": String(revision) },
    generation: revision,
  });
  const time = meta.creationTimestamp ?? "";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      progressDeadlineSeconds: 600,
      replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: { metadata: { labels: appLabels(shape) }, spec: templateSpec(shape) },
    },
    status: {
      availableReplicas: replicas,
      conditions: [
        condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability.", time),
        condition(
          "Progressing",
          "NewReplicaSetAvailable",
          `ReplicaSet "${shape.name}" has successfully progressed.`,
          time,
        ),
      ],
      observedGeneration: revision,
      readyReplicas: replicas,
      replicas,
      updatedReplicas: replicas,
    },
  };
}

/**
 * A ReplicaSet the deployment controller made for one revision. Old revisions are kept at zero
 * replicas, as revisionHistoryLimit keeps them.
 */
export function buildReplicaSet(
  stamp: Stamp,
  deployment: KubeObject,
  shape: AppShape,
  hash: string,
  replicas: number,
  revision: number,
): KubeObject {
  const namespace = deployment.metadata?.namespace ?? "default";
  const spec = deployment.spec as { replicas?: number } | undefined;
  const desired = spec?.replicas ?? replicas;
  const podLabels = { ...appLabels(shape), "pod-template-hash": hash };
  const name = `${shape.name}-${hash}`;
  const status: Record<string, unknown> = { observedGeneration: 1, replicas };
  if (replicas > 0) {
    status.availableReplicas = replicas;
    status.fullyLabeledReplicas = replicas;
    status.readyReplicas = replicas;
  }
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: objectMeta(stamp, name, {
      namespace,
      labels: { ...podLabels },
      annotations: {
        "deployment.kubernetes.io/desired-replicas": String(desired),
        "deployment.kubernetes.io/max-replicas": String(desired + Math.ceil(desired / 4)),
        "deployment.kubernetes.io/revision": String(revision),
      },
      ownerReferences: [controllerRef(deployment)],
      generation: 1,
    }),
    spec: {
      replicas,
      selector: { matchLabels: { ...podLabels } },
      template: { metadata: { labels: { ...podLabels } }, spec: templateSpec(shape) },
    },
    status,
  };
}
