// A pod's quality-of-service class, which the API server computes when the pod is created.
import { type Json, record, records } from "../json.js";

/** Guaranteed when every container limits CPU and memory to what it requests; BestEffort when none asks for anything. */
export function qosClassOf(spec: Json): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = [...records(spec.initContainers), ...records(spec.containers)];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const container of containers) {
    const resources = record(container.resources);
    const requests = record(resources.requests);
    const limits = record(resources.limits);
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const resource of ["cpu", "memory"]) {
      const limit = limits[resource];
      const request = requests[resource] ?? limit;
      if (limit === undefined || request !== limit) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
