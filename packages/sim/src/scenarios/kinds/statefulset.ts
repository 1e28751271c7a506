import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";
import { type AppShape, appLabels, templateSpec } from "./app-shape.js";

export function buildStatefulSet(
  stamp: Stamp,
  namespace: string,
  shape: AppShape,
  replicas: number,
  revisionHash: string,
  storage: string,
): KubeObject {
  const revision = `${shape.name}-${revisionHash}`;
  const claim = shape.claim ?? "data";
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: objectMeta(stamp, shape.name, { namespace, labels: appLabels(shape), generation: 1 }),
    spec: {
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      podManagementPolicy: "OrderedReady",
      replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: appLabels(shape) },
      serviceName: shape.name,
      template: { metadata: { labels: appLabels(shape) }, spec: templateSpec(shape) },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: claim },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage } },
            volumeMode: "Filesystem",
          },
          status: { phase: "Pending" },
        },
      ],
    },
    status: {
      availableReplicas: replicas,
      collisionCount: 0,
      currentReplicas: replicas,
      currentRevision: revision,
      observedGeneration: 1,
      readyReplicas: replicas,
      replicas,
      updateRevision: revision,
      updatedReplicas: replicas,
    },
  };
}
