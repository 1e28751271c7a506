// When a pod counts as ready: Running with its Ready condition True, as the ReplicaSet controller
// counts readyReplicas and endpoint controllers pick addresses.
import { record, records } from "./json.js";
import type { KubeObject } from "./object-api.js";

export function isPodReady(pod: KubeObject): boolean {
  const status = record(pod.status);
  return (
    status.phase === "Running" &&
    records(status.conditions).some((condition) => condition.type === "Ready" && condition.status === "True")
  );
}
