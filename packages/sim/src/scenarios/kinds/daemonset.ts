import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";
import { type AppShape, appLabels, templateSpec } from "./app-shape.js";

/** A node agent's pod spec: host network, critical priority, tolerates every taint. */
export function daemonPodSpec(shape: AppShape): Record<string, unknown> {
  const spec = templateSpec(shape);
  spec.hostNetwork = true;
  spec.priorityClassName = "system-node-critical";
  spec.tolerations = [{ operator: "Exists" }];
  return spec;
}

/** A node-level agent such as kube-proxy, one pod per node. */
export function buildDaemonSet(stamp: Stamp, namespace: string, shape: AppShape, nodes: number): KubeObject {
  const spec = daemonPodSpec(shape);
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: objectMeta(stamp, shape.name, {
      namespace,
      labels: appLabels(shape),
      annotations: { "deprecated.daemonset.template.generation": "1" },
      generation: 1,
    }),
    spec: {
      revisionHistoryLimit: 10,
      selector: { matchLabels: appLabels(shape) },
      template: { metadata: { labels: appLabels(shape) }, spec },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    },
    status: {
      currentNumberScheduled: nodes,
      desiredNumberScheduled: nodes,
      numberAvailable: nodes,
      numberMisscheduled: 0,
      numberReady: nodes,
      observedGeneration: 1,
      updatedNumberScheduled: nodes,
    },
  };
}

/** The template of a DaemonSet or StatefulSet at one revision, owned by it. */
export function buildControllerRevision(
  stamp: Stamp,
  owner: KubeObject,
  hash: string,
  template: unknown,
): KubeObject {
  const name = owner.metadata?.name ?? "";
  const labels = { ...(owner.metadata?.labels ?? {}) };
  labels[owner.kind === "DaemonSet" ? "controller-revision-hash" : "controller.kubernetes.io/hash"] = hash;
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: objectMeta(stamp, `${name}-${hash}`, {
      namespace: owner.metadata?.namespace ?? "default",
      labels,
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: owner.kind ?? "",
          name,
          uid: owner.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
    data: { spec: { template: { $patch: "replace", ...(template as Record<string, unknown>) } } },
    revision: 1,
  };
}
