import type { KubeObject } from "../../object-api.js";
import { scalingEvent } from "../kinds/event.js";
import { type ChurnContext, deployments, replicaSets } from "./churn-context.js";
import { child, record } from "./fields.js";
import type { KeyCache } from "./key-cache.js";
import { createPodsFor, deletePod } from "./pods.js";
import { ownedPods, refreshReplicaSetCounts } from "./replicas.js";

/** Churn grows a deployment no further than this (one already bigger only shrinks or holds). */
const maxReplicas = 12;

function revisionOf(object: KubeObject): number {
  return Number(object.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
}

/** The ReplicaSet of the deployment's current revision. */
function currentReplicaSet(ctx: ChurnContext, deployment: KubeObject): KubeObject | undefined {
  const namespace = deployment.metadata?.namespace ?? "";
  const uid = deployment.metadata?.uid;
  const owned: KubeObject[] = [];
  for (const name of ctx.index.replicaSetNamesOwnedBy(namespace, uid ?? "")) {
    const rs = ctx.read(replicaSets, namespace, name);
    if (rs) owned.push(rs);
    else ctx.index.deleted("replicasets", namespace, name);
  }
  return owned.sort((a, b) => revisionOf(b) - revisionOf(a))[0];
}

/**
 * Someone (or an autoscaler) scales a deployment; the deployment controller resizes its current
 * ReplicaSet, whose controller creates pending pods or deletes pods.
 */
export function scaleDeployment(ctx: ChurnContext, deploymentKeys: KeyCache, workers: KeyCache): void {
  const key = deploymentKeys.pick(ctx.random);
  const deployment = key ? ctx.read(deployments, key.namespace, key.name) : undefined;
  if (!deployment) return;
  const spec = child(deployment, "spec");
  const current = typeof spec.replicas === "number" ? spec.replicas : 1;
  let next = current + ctx.random.pick([-2, -1, 1, 2]);
  next = Math.max(0, Math.min(Math.max(maxReplicas, current), next));
  if (next === current) next = current > 0 ? current - 1 : 1;
  spec.replicas = next;
  const metadata = deployment.metadata ?? {};
  metadata.generation = (metadata.generation ?? 1) + 1;
  const scaled = ctx.update(deployments, deployment);
  // The deployment controller notes that it has seen the new generation.
  child(scaled, "status").observedGeneration = scaled.metadata?.generation ?? metadata.generation;
  ctx.updateStatus(deployments, scaled);

  const replicaSet = currentReplicaSet(ctx, deployment);
  if (!replicaSet) return;
  const rsSpec = child(replicaSet, "spec");
  rsSpec.replicas = next;
  const annotations = replicaSet.metadata?.annotations ?? {};
  annotations["deployment.kubernetes.io/desired-replicas"] = String(next);
  annotations["deployment.kubernetes.io/max-replicas"] = String(next + Math.ceil(next / 4));
  if (replicaSet.metadata) {
    replicaSet.metadata.annotations = annotations;
    replicaSet.metadata.generation = (replicaSet.metadata.generation ?? 1) + 1;
  }
  const updated = ctx.update(replicaSets, replicaSet);
  child(updated, "status").observedGeneration = updated.metadata?.generation ?? 1;
  ctx.updateStatus(replicaSets, updated);

  ctx.recordEvent(scalingEvent(ctx.stamp, scaled, updated.metadata?.name ?? "", current, next));
  const namespace = deployment.metadata?.namespace ?? "";
  const owned = ownedPods(ctx, namespace, updated.metadata?.uid ?? "");
  if (owned.length < next) {
    createPodsFor(ctx, updated, next - owned.length, workers);
  } else {
    // The ReplicaSet controller deletes the youngest pods first.
    const youngestFirst = [...owned].sort((a, b) =>
      String(record(b.metadata).creationTimestamp).localeCompare(
        String(record(a.metadata).creationTimestamp),
      ),
    );
    for (const pod of youngestFirst.slice(0, owned.length - next)) deletePod(ctx, pod, updated);
  }
  refreshReplicaSetCounts(ctx, namespace, updated.metadata?.name ?? "");
}
