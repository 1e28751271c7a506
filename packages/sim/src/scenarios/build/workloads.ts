import type { KubeObject } from "../../object-api.js";
import { type AppShape, appLabels, templateSpec } from "../kinds/app-shape.js";
import { buildControllerRevision, buildDaemonSet, daemonPodSpec } from "../kinds/daemonset.js";
import { buildDeployment, buildReplicaSet } from "../kinds/deployment.js";
import { podStartEvents, replicaSetPodEvent, scalingEvent, scheduledEvent } from "../kinds/event.js";
import { buildCronJob, buildJob, jobTemplateSpec } from "../kinds/job.js";
import { buildPod } from "../kinds/pod.js";
import type { EndpointTarget } from "../kinds/service.js";
import { buildStatefulSet } from "../kinds/statefulset.js";
import { buildBoundClaim } from "../kinds/storage.js";
import { jobsPerCronJob } from "../spec.js";
import { controllerRef } from "../stamp.js";
import type { BuildContext } from "./build-context.js";
import type { Placement } from "./scheduler.js";

/** The events a pod's scheduling and start leave behind. */
function recordPodEvents(ctx: BuildContext, pod: KubeObject): void {
  if (!ctx.recordEvents) return;
  ctx.builder.add(scheduledEvent(ctx.builder, pod));
  for (const event of podStartEvents(ctx.builder, pod)) ctx.builder.add(event);
}

function target(pod: KubeObject, placement: Placement): EndpointTarget {
  const meta = pod.metadata ?? {};
  return {
    ip: placement.podIp,
    nodeName: placement.nodeName,
    zone: placement.zone,
    pod: { name: meta.name ?? "", namespace: meta.namespace ?? "", uid: meta.uid ?? "" },
  };
}

/** A unique "<prefix>-xxxxx" name, as generateName gives. */
function uniqueName(ctx: BuildContext, prefix: string, taken: Set<string>): string {
  let name = `${prefix}-${ctx.builder.random.suffix(5)}`;
  while (taken.has(name)) name = `${prefix}-${ctx.builder.random.suffix(5)}`;
  taken.add(name);
  return name;
}

/** A Deployment, its ReplicaSets (current and old revisions) and the current one's pods. */
export function addDeployment(
  ctx: BuildContext,
  namespace: string,
  shape: AppShape,
  replicas: number,
  oldRevisions = 0,
): { deployment: KubeObject; targets: EndpointTarget[] } {
  const { builder } = ctx;
  const revision = oldRevisions + 1;
  const deployment = builder.add(buildDeployment(builder, namespace, shape, replicas, revision));
  for (let old = 1; old <= oldRevisions; old++) {
    builder.add(buildReplicaSet(builder, deployment, shape, builder.random.templateHash(), 0, old));
  }
  const hash = builder.random.templateHash();
  const replicaSet = builder.add(buildReplicaSet(builder, deployment, shape, hash, replicas, revision));
  const rsName = replicaSet.metadata?.name ?? shape.name;
  if (ctx.recordEvents) builder.add(scalingEvent(builder, deployment, rsName, 0, replicas));
  const owner = controllerRef(replicaSet);
  const taken = new Set<string>();
  const targets: EndpointTarget[] = [];
  for (let i = 0; i < replicas; i++) {
    const placement = ctx.scheduler.anyWorker();
    const pod = builder.add(
      buildPod(builder, {
        name: uniqueName(ctx, rsName, taken),
        generateName: `${rsName}-`,
        namespace,
        labels: { ...appLabels(shape), "pod-template-hash": hash },
        owner: { ...owner },
        spec: templateSpec(shape),
        placement,
      }),
    );
    if (ctx.recordEvents)
      builder.add(replicaSetPodEvent(builder, replicaSet, pod.metadata?.name ?? "", true));
    recordPodEvents(ctx, pod);
    targets.push(target(pod, placement));
  }
  return { deployment, targets };
}

/** A StatefulSet with its revision, ordinal pods and each pod's bound claim and volume. */
export function addStatefulSet(
  ctx: BuildContext,
  namespace: string,
  shape: AppShape,
  replicas: number,
  storage: string,
): EndpointTarget[] {
  const { builder } = ctx;
  const hash = builder.random.templateHash();
  const set = builder.add(buildStatefulSet(builder, namespace, shape, replicas, hash, storage));
  const setName = set.metadata?.name ?? shape.name;
  builder.add(
    buildControllerRevision(builder, set, hash, {
      metadata: { labels: appLabels(shape) },
      spec: templateSpec(shape),
    }),
  );
  const claim = shape.claim ?? "data";
  const targets: EndpointTarget[] = [];
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const name = `${setName}-${ordinal}`;
    const placement = ctx.scheduler.anyWorker();
    const claimName = `${claim}-${name}`;
    const bound = buildBoundClaim(
      builder,
      namespace,
      claimName,
      storage,
      placement.nodeName,
      appLabels(shape),
    );
    builder.add(bound.claim);
    builder.add(bound.volume);
    const spec = templateSpec(shape);
    spec.hostname = name;
    spec.subdomain = setName;
    const volumes = Array.isArray(spec.volumes) ? (spec.volumes as unknown[]) : [];
    volumes.push({ name: claim, persistentVolumeClaim: { claimName } });
    spec.volumes = volumes;
    const pod = builder.add(
      buildPod(builder, {
        name,
        generateName: `${setName}-`,
        namespace,
        labels: {
          ...appLabels(shape),
          "apps.kubernetes.io/pod-index": String(ordinal),
          "controller-revision-hash": `${setName}-${hash}`,
          "statefulset.kubernetes.io/pod-name": name,
        },
        owner: controllerRef(set),
        spec,
        placement,
      }),
    );
    recordPodEvents(ctx, pod);
    targets.push(target(pod, placement));
  }
  return targets;
}

/** A DaemonSet with a host-network pod on every node. */
export function addDaemonSet(ctx: BuildContext, namespace: string, shape: AppShape): KubeObject {
  const { builder } = ctx;
  const nodeCount = ctx.nodes.length;
  const set = builder.add(buildDaemonSet(builder, namespace, shape, nodeCount));
  const hash = builder.random.templateHash();
  builder.add(
    buildControllerRevision(builder, set, hash, {
      metadata: { labels: appLabels(shape) },
      spec: daemonPodSpec(shape),
    }),
  );
  const setName = set.metadata?.name ?? shape.name;
  const owner = controllerRef(set);
  const taken = new Set<string>();
  for (let index = 0; index < nodeCount; index++) {
    const placement = ctx.scheduler.onNode(index);
    const spec = daemonPodSpec(shape);
    // The DaemonSet controller pins each pod to its node by affinity; the scheduler then binds it.
    spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: "metadata.name", operator: "In", values: [placement.nodeName] }] },
          ],
        },
      },
    };
    builder.add(
      buildPod(builder, {
        name: uniqueName(ctx, setName, taken),
        generateName: `${setName}-`,
        namespace,
        labels: { ...appLabels(shape), "controller-revision-hash": hash, "pod-template-generation": "1" },
        owner: { ...owner },
        spec,
        placement,
        hostNetwork: true,
      }),
    );
  }
  return set;
}

/** A CronJob with its kept history of finished Jobs, each with its Succeeded pod. */
export function addCronJob(ctx: BuildContext, namespace: string, shape: AppShape, schedule: string): void {
  const { builder } = ctx;
  const cronJob = builder.add(buildCronJob(builder, namespace, shape, schedule));
  // Scheduled-time suffixes are minutes since the epoch, as the CronJob controller names its Jobs.
  const firstMinute = 29_440_000 + builder.random.int(0, 5000);
  for (let run = 0; run < jobsPerCronJob; run++) {
    const job = builder.add(buildJob(builder, cronJob, shape, firstMinute + run * 60));
    const jobName = job.metadata?.name ?? "";
    const jobSpec = job.spec as { template: { metadata: { labels: Record<string, string> } } };
    builder.add(
      buildPod(builder, {
        name: `${jobName}-${builder.random.suffix(5)}`,
        generateName: `${jobName}-`,
        namespace,
        labels: { ...jobSpec.template.metadata.labels },
        owner: controllerRef(job),
        spec: jobTemplateSpec(shape),
        placement: ctx.scheduler.anyWorker(),
        phase: "Succeeded",
      }),
    );
  }
}
