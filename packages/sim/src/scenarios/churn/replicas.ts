import type { KubeObject } from "../../object-api.js";
import { isPodReady } from "../../pod-ready.js";
import { type ChurnContext, deployments, pods, replicaSets } from "./churn-context.js";
import { child } from "./fields.js";

/** The pods a controller owns, by the controller's uid. */
export function ownedPods(ctx: ChurnContext, namespace: string, ownerUid: string): KubeObject[] {
  const owned: KubeObject[] = [];
  for (const name of ctx.index.podNamesOwnedBy(namespace, ownerUid)) {
    const pod = ctx.api.get(pods[0], pods[1], pods[2], namespace, name);
    if (pod) owned.push(pod);
    else ctx.index.deleted("pods", namespace, name);
  }
  return owned;
}

/** Recounts a pod's ReplicaSet and Deployment status after one of its pods changed. */
export function refreshReplicaCounts(ctx: ChurnContext, pod: KubeObject): void {
  const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
  if (owner?.kind !== "ReplicaSet") return;
  refreshReplicaSetCounts(ctx, pod.metadata?.namespace ?? "", owner.name);
}

/** Recounts a ReplicaSet's pods into its status and its Deployment's, as their controllers do. */
export function refreshReplicaSetCounts(ctx: ChurnContext, namespace: string, name: string): void {
  const replicaSet = ctx.read(replicaSets, namespace, name);
  if (!replicaSet) return;
  const owned = ownedPods(ctx, namespace, replicaSet.metadata?.uid ?? "");
  const ready = owned.filter(isPodReady).length;
  const status = child(replicaSet, "status");
  if (status.readyReplicas === ready && status.replicas === owned.length) return;
  status.replicas = owned.length;
  status.fullyLabeledReplicas = owned.length;
  status.readyReplicas = ready;
  status.availableReplicas = ready;
  ctx.updateStatus(replicaSets, replicaSet);
  const deploymentRef = replicaSet.metadata?.ownerReferences?.find((ref) => ref.kind === "Deployment");
  const deployment = deploymentRef ? ctx.read(deployments, namespace, deploymentRef.name) : undefined;
  if (!deployment) return;
  const deploymentStatus = child(deployment, "status");
  deploymentStatus.replicas = owned.length;
  deploymentStatus.updatedReplicas = owned.length;
  deploymentStatus.readyReplicas = ready;
  deploymentStatus.availableReplicas = ready;
  const unavailable = owned.length - ready;
  if (unavailable > 0) deploymentStatus.unavailableReplicas = unavailable;
  else delete deploymentStatus.unavailableReplicas;
  ctx.updateStatus(deployments, deployment);
}
