// The columns the real server's printers give each built-in kind, for the Table form.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";

export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
  value(obj: KubeObject, now: number): unknown;
}

export const field = (value: unknown, ...path: string[]): unknown => {
  let current = value;
  for (const part of path) current = isPlainObject(current) ? current[part] : undefined;
  return current;
};
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const num = (value: unknown): number => (typeof value === "number" ? value : 0);
export const str = (value: unknown, fallback = "<none>"): string =>
  typeof value === "string" && value !== "" ? value : fallback;

export const nameColumn: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "The name of the object, unique within its namespace.",
  priority: 0,
  value: (obj) => obj.metadata?.name ?? "",
};

export const ageColumn: TableColumn = {
  name: "Age",
  type: "string",
  format: "",
  description: "How long ago the server created the object.",
  priority: 0,
  value: (obj, now) => age(obj.metadata?.creationTimestamp, now),
};

export function column(
  name: string,
  value: TableColumn["value"],
  priority = 0,
  type: TableColumn["type"] = "string",
): TableColumn {
  return { name, type, format: "", description: name, priority, value };
}

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

export function containersOf(template: unknown): { names: string; images: string } {
  const containers = list(field(template, "spec", "containers"));
  return {
    names: containers.map((container) => str(field(container, "name"), "")).join(","),
    images: containers.map((container) => str(field(container, "image"), "")).join(","),
  };
}

export function selectorText(selector: unknown): string {
  const labels = field(selector, "matchLabels");
  if (!isPlainObject(labels)) return "<none>";
  const text = Object.entries(labels)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(",");
  return text || "<none>";
}

function nodeStatus(obj: KubeObject): string {
  const ready = list(field(obj, "status", "conditions")).find(
    (condition) => field(condition, "type") === "Ready",
  );
  const base =
    field(ready, "status") === "True" ? "Ready" : field(ready, "status") === "False" ? "NotReady" : "Unknown";
  return field(obj, "spec", "unschedulable") === true ? `${base},SchedulingDisabled` : base;
}

function nodeRoles(obj: KubeObject): string {
  const roles = Object.keys(obj.metadata?.labels ?? {})
    .filter((key) => key.startsWith("node-role.kubernetes.io/"))
    .map((key) => key.slice("node-role.kubernetes.io/".length))
    .filter((role) => role !== "");
  return roles.length > 0 ? roles.sort().join(",") : "<none>";
}

function servicePorts(obj: KubeObject): string {
  const ports = list(field(obj, "spec", "ports")).map((port) => {
    const nodePort = field(port, "nodePort");
    const base = `${num(field(port, "port"))}${typeof nodePort === "number" ? `:${nodePort}` : ""}`;
    return `${base}/${str(field(port, "protocol"), "TCP")}`;
  });
  return ports.length > 0 ? ports.join(",") : "<none>";
}

function dataCount(obj: KubeObject): number {
  const data = isPlainObject(obj.data) ? Object.keys(obj.data).length : 0;
  const binary = isPlainObject(obj.binaryData) ? Object.keys(obj.binaryData).length : 0;
  return data + binary;
}

export const columnsByKind: Record<string, TableColumn[]> = {
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
  "/Namespace": [
    nameColumn,
    column("Status", (obj) => str(field(obj, "status", "phase"), "Active")),
    ageColumn,
  ],
  "/Node": [
    nameColumn,
    column("Status", nodeStatus),
    column("Roles", nodeRoles),
    ageColumn,
    column("Version", (obj) => str(field(obj, "status", "nodeInfo", "kubeletVersion"), "")),
  ],
  "/ConfigMap": [nameColumn, column("Data", dataCount, 0, "integer"), ageColumn],
  "/Secret": [
    nameColumn,
    column("Type", (obj) => str(obj.type, "Opaque")),
    column("Data", dataCount, 0, "integer"),
    ageColumn,
  ],
  "/Service": [
    nameColumn,
    column("Type", (obj) => str(field(obj, "spec", "type"), "ClusterIP")),
    column("Cluster-IP", (obj) => str(field(obj, "spec", "clusterIP"))),
    column("External-IP", (obj) => {
      const ingress = list(field(obj, "status", "loadBalancer", "ingress"));
      const ips = ingress.map((entry) => str(field(entry, "ip"), "")).filter(Boolean);
      return ips.length > 0 ? ips.join(",") : "<none>";
    }),
    column("Port(s)", servicePorts),
    ageColumn,
    column(
      "Selector",
      (obj) => {
        const selector = field(obj, "spec", "selector");
        return isPlainObject(selector) && Object.keys(selector).length > 0
          ? Object.entries(selector)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(",")
          : "<none>";
      },
      1,
    ),
  ],
  "coordination.k8s.io/Lease": [
    nameColumn,
    column("Holder", (obj) => str(field(obj, "spec", "holderIdentity"), "")),
    ageColumn,
  ],
  "apiextensions.k8s.io/CustomResourceDefinition": [
    nameColumn,
    { ...column("Created At", (obj) => obj.metadata?.creationTimestamp ?? ""), type: "date" },
  ],
};

/** Kubernetes' short human durations ("45s", "5m3s", "3h", "12d"), as kubectl's AGE shows. */
export function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== "string") return "<unknown>";
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return "<unknown>";
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
