// Printer columns for workloads (pods, apps, batch, autoscaling, disruption budgets), as the real
// server's printers name and fill them.
import type { KubeObject } from "../object-api.js";
import {
  age,
  ageColumn,
  column,
  containersOf,
  field,
  joined,
  list,
  nameColumn,
  num,
  selectorText,
  str,
  type TableColumn,
} from "./printer-columns.js";

function podReady(obj: KubeObject): string {
  const statuses = list(field(obj, "status", "containerStatuses"));
  const ready = statuses.filter((status) => field(status, "ready") === true).length;
  return `${ready}/${list(field(obj, "spec", "containers")).length}`;
}

function podStatus(obj: KubeObject): string {
  if (obj.metadata?.deletionTimestamp) return "Terminating";
  const reason = field(obj, "status", "reason");
  if (typeof reason === "string" && reason) return reason;
  for (const status of list(field(obj, "status", "containerStatuses"))) {
    const waiting = field(status, "state", "waiting", "reason");
    if (typeof waiting === "string" && waiting) return waiting;
    const terminated = field(status, "state", "terminated", "reason");
    if (typeof terminated === "string" && terminated) return terminated;
  }
  return str(field(obj, "status", "phase"), "Unknown");
}

function podRestarts(obj: KubeObject): number {
  return list(field(obj, "status", "containerStatuses")).reduce<number>(
    (total, status) => total + num(field(status, "restartCount")),
    0,
  );
}

function jobStatus(obj: KubeObject): string {
  const conditions = list(field(obj, "status", "conditions"));
  const isTrue = (type: string) =>
    conditions.some(
      (condition) => field(condition, "type") === type && field(condition, "status") === "True",
    );
  if (isTrue("Complete")) return "Complete";
  if (isTrue("Failed")) return "Failed";
  if (isTrue("Suspended")) return "Suspended";
  return "Running";
}

function jobDuration(obj: KubeObject, now: number): string {
  const start = field(obj, "status", "startTime");
  if (typeof start !== "string") return "";
  const end = field(obj, "status", "completionTime");
  const until = typeof end === "string" ? Date.parse(end) : now;
  return age(start, until);
}

function hpaTargets(obj: KubeObject): string {
  const metrics = list(field(obj, "spec", "metrics"));
  const current = list(field(obj, "status", "currentMetrics"));
  const text = metrics.map((metric, index) => {
    const target = field(metric, "resource", "target", "averageUtilization");
    const now = field(current[index], "resource", "current", "averageUtilization");
    const name = str(field(metric, "resource", "name"), "");
    return `${name}: ${typeof now === "number" ? `${now}%` : "<unknown>"}/${typeof target === "number" ? `${target}%` : "<unknown>"}`;
  });
  return joined(text);
}

export const workloadColumns: Record<string, TableColumn[]> = {
  "/Pod": [
    nameColumn,
    column("Ready", podReady),
    column("Status", podStatus),
    column("Restarts", podRestarts, 0, "string"),
    ageColumn,
    column("IP", (obj) => str(field(obj, "status", "podIP")), 1),
    column("Node", (obj) => str(field(obj, "spec", "nodeName")), 1),
    column("Nominated Node", (obj) => str(field(obj, "status", "nominatedNodeName")), 1),
    column("Readiness Gates", () => "<none>", 1),
  ],
  "apps/Deployment": [
    nameColumn,
    column(
      "Ready",
      (obj) => `${num(field(obj, "status", "readyReplicas"))}/${num(field(obj, "spec", "replicas"))}`,
    ),
    column("Up-to-date", (obj) => num(field(obj, "status", "updatedReplicas")), 0, "integer"),
    column("Available", (obj) => num(field(obj, "status", "availableReplicas")), 0, "integer"),
    ageColumn,
    column("Containers", (obj) => containersOf(field(obj, "spec", "template")).names, 1),
    column("Images", (obj) => containersOf(field(obj, "spec", "template")).images, 1),
    column("Selector", (obj) => selectorText(field(obj, "spec", "selector")), 1),
  ],
  "apps/ReplicaSet": [
    nameColumn,
    column("Desired", (obj) => num(field(obj, "spec", "replicas")), 0, "integer"),
    column("Current", (obj) => num(field(obj, "status", "replicas")), 0, "integer"),
    column("Ready", (obj) => num(field(obj, "status", "readyReplicas")), 0, "integer"),
    ageColumn,
    column("Containers", (obj) => containersOf(field(obj, "spec", "template")).names, 1),
    column("Images", (obj) => containersOf(field(obj, "spec", "template")).images, 1),
    column("Selector", (obj) => selectorText(field(obj, "spec", "selector")), 1),
  ],
  "apps/StatefulSet": [
    nameColumn,
    column(
      "Ready",
      (obj) => `${num(field(obj, "status", "readyReplicas"))}/${num(field(obj, "spec", "replicas"))}`,
    ),
    ageColumn,
  ],
  "apps/DaemonSet": [
    nameColumn,
    column("Desired", (obj) => num(field(obj, "status", "desiredNumberScheduled")), 0, "integer"),
    column("Current", (obj) => num(field(obj, "status", "currentNumberScheduled")), 0, "integer"),
    column("Ready", (obj) => num(field(obj, "status", "numberReady")), 0, "integer"),
    column("Up-to-date", (obj) => num(field(obj, "status", "updatedNumberScheduled")), 0, "integer"),
    column("Available", (obj) => num(field(obj, "status", "numberAvailable")), 0, "integer"),
    ageColumn,
  ],
  "apps/ControllerRevision": [
    nameColumn,
    column("Controller", (obj) => {
      const owner = list(obj.metadata?.ownerReferences).find((ref) => field(ref, "controller") === true);
      return owner
        ? `${str(field(owner, "kind"), "").toLowerCase()}.apps/${str(field(owner, "name"), "")}`
        : "<none>";
    }),
    column("Revision", (obj) => num(obj.revision), 0, "integer"),
    ageColumn,
  ],
  "batch/Job": [
    nameColumn,
    column("Status", jobStatus),
    column(
      "Completions",
      (obj) => `${num(field(obj, "status", "succeeded"))}/${num(field(obj, "spec", "completions")) || 1}`,
    ),
    column("Duration", jobDuration),
    ageColumn,
    column("Containers", (obj) => containersOf(field(obj, "spec", "template")).names, 1),
    column("Images", (obj) => containersOf(field(obj, "spec", "template")).images, 1),
    column("Selector", (obj) => selectorText(field(obj, "spec", "selector")), 1),
  ],
  "batch/CronJob": [
    nameColumn,
    column("Schedule", (obj) => str(field(obj, "spec", "schedule"), "")),
    column("Timezone", (obj) => str(field(obj, "spec", "timeZone"))),
    column("Suspend", (obj) => field(obj, "spec", "suspend") === true, 0, "boolean"),
    column("Active", (obj) => list(field(obj, "status", "active")).length, 0, "integer"),
    column("Last Schedule", (obj, now) => {
      const last = field(obj, "status", "lastScheduleTime");
      return typeof last === "string" ? age(last, now) : "<none>";
    }),
    ageColumn,
  ],
  "autoscaling/HorizontalPodAutoscaler": [
    nameColumn,
    column(
      "Reference",
      (obj) =>
        `${str(field(obj, "spec", "scaleTargetRef", "kind"), "")}/${str(field(obj, "spec", "scaleTargetRef", "name"), "")}`,
    ),
    column("Targets", hpaTargets),
    column("MinPods", (obj) => num(field(obj, "spec", "minReplicas")) || 1, 0, "integer"),
    column("MaxPods", (obj) => num(field(obj, "spec", "maxReplicas")), 0, "integer"),
    column("Replicas", (obj) => num(field(obj, "status", "currentReplicas")), 0, "integer"),
    ageColumn,
  ],
  "policy/PodDisruptionBudget": [
    nameColumn,
    column("Min Available", (obj) => String(field(obj, "spec", "minAvailable") ?? "N/A")),
    column("Max Unavailable", (obj) => String(field(obj, "spec", "maxUnavailable") ?? "N/A")),
    column("Allowed Disruptions", (obj) => num(field(obj, "status", "disruptionsAllowed")), 0, "integer"),
    ageColumn,
  ],
};
