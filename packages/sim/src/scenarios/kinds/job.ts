import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { controllerRef, objectMeta } from "../stamp.js";
import { type AppShape, appLabels, templateSpec } from "./app-shape.js";

export function jobTemplateSpec(shape: AppShape): Record<string, unknown> {
  const spec = templateSpec(shape);
  spec.restartPolicy = "OnFailure";
  const containers = spec.containers as Record<string, unknown>[];
  for (const c of containers) {
    delete c.ports;
    delete c.readinessProbe;
  }
  return spec;
}

export function buildCronJob(stamp: Stamp, namespace: string, shape: AppShape, schedule: string): KubeObject {
  const meta = objectMeta(stamp, shape.name, { namespace, labels: appLabels(shape), generation: 1 });
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta,
    spec: {
      concurrencyPolicy: "Forbid",
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: appLabels(shape) },
        spec: {
          backoffLimit: 6,
          template: { metadata: { labels: appLabels(shape) }, spec: jobTemplateSpec(shape) },
        },
      },
      schedule,
      successfulJobsHistoryLimit: 3,
      suspend: false,
    },
    status: { lastScheduleTime: meta.creationTimestamp, lastSuccessfulTime: meta.creationTimestamp },
  };
}

/** A finished run of a CronJob; its pod labels carry the job's uid, as the job controller sets them. */
export function buildJob(
  stamp: Stamp,
  cronJob: KubeObject,
  shape: AppShape,
  scheduledMinute: number,
): KubeObject {
  const name = `${shape.name}-${scheduledMinute}`;
  const meta = objectMeta(stamp, name, {
    namespace: cronJob.metadata?.namespace ?? "default",
    ownerReferences: [controllerRef(cronJob)],
    annotations: { "batch.kubernetes.io/cronjob-scheduled-timestamp": stamp.timestamp() },
    generation: 1,
  });
  const uid = meta.uid ?? "";
  const selectorLabels = { "batch.kubernetes.io/controller-uid": uid };
  const podLabels = (): Record<string, string> => ({
    ...appLabels(shape),
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  });
  meta.labels = podLabels();
  const time = meta.creationTimestamp ?? "";
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta,
    spec: {
      backoffLimit: 6,
      completionMode: "NonIndexed",
      completions: 1,
      manualSelector: false,
      parallelism: 1,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: selectorLabels },
      suspend: false,
      template: { metadata: { labels: podLabels() }, spec: jobTemplateSpec(shape) },
    },
    status: {
      completionTime: time,
      conditions: [
        { type: "SuccessCriteriaMet", status: "True", lastProbeTime: time, lastTransitionTime: time },
        { type: "Complete", status: "True", lastProbeTime: time, lastTransitionTime: time },
      ],
      ready: 0,
      startTime: time,
      succeeded: 1,
      terminating: 0,
      uncountedTerminatedPods: {},
    },
  };
}
