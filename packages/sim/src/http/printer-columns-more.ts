// Printer columns for batch, networking, storage, RBAC, policy, autoscaling and events, as the
// real server's printers name and fill them.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";
import {
  age,
  ageColumn,
  column,
  containersOf,
  field,
  list,
  nameColumn,
  num,
  selectorText,
  str,
  type TableColumn,
} from "./printer-columns.js";

const createdAt: TableColumn = {
  ...column("Created At", (obj) => obj.metadata?.creationTimestamp ?? ""),
  type: "date",
};

const joined = (values: unknown[], fallback = "<none>") => {
  const text = values.filter((value) => value !== "" && value !== undefined).join(",");
  return text || fallback;
};

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

function subjects(obj: KubeObject, kind: string): string {
  return joined(
    list(obj.subjects)
      .filter((subject) => field(subject, "kind") === kind)
      .map((subject) =>
        kind === "ServiceAccount"
          ? `${str(field(subject, "namespace"), "")}/${str(field(subject, "name"), "")}`
          : str(field(subject, "name"), ""),
      ),
    "",
  );
}

const bindingColumns: TableColumn[] = [
  nameColumn,
  column(
    "Role",
    (obj) => `${str(field(obj, "roleRef", "kind"), "")}/${str(field(obj, "roleRef", "name"), "")}`,
  ),
  ageColumn,
  column("Users", (obj) => subjects(obj, "User"), 1),
  column("Groups", (obj) => subjects(obj, "Group"), 1),
  column("ServiceAccounts", (obj) => subjects(obj, "ServiceAccount"), 1),
];

function endpointsText(addresses: string[], ports: number[]): string {
  if (addresses.length === 0) return "<none>";
  const pairs =
    ports.length > 0 ? addresses.flatMap((ip) => ports.map((port) => `${ip}:${port}`)) : addresses;
  const shown = pairs.slice(0, 3).join(",");
  return pairs.length > 3 ? `${shown} + ${pairs.length - 3} more...` : shown;
}

function ingressHosts(obj: KubeObject): string {
  return joined(
    list(field(obj, "spec", "rules")).map((rule) => str(field(rule, "host"), "*")),
    "*",
  );
}

function ingressPorts(obj: KubeObject): string {
  return list(field(obj, "spec", "tls")).length > 0 ? "80, 443" : "80";
}

function loadBalancerAddress(obj: KubeObject): string {
  return joined(
    list(field(obj, "status", "loadBalancer", "ingress")).map(
      (entry) => str(field(entry, "ip"), "") || str(field(entry, "hostname"), ""),
    ),
    "",
  );
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

function eventObject(obj: KubeObject): string {
  const kind = str(field(obj, "involvedObject", "kind"), "").toLowerCase();
  return `${kind}/${str(field(obj, "involvedObject", "name"), "")}`;
}

function eventLastSeen(obj: KubeObject, now: number): string {
  const last = field(obj, "lastTimestamp") ?? field(obj, "eventTime") ?? obj.metadata?.creationTimestamp;
  return age(last, now);
}

export const moreColumnsByKind: Record<string, TableColumn[]> = {
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
  "networking.k8s.io/Ingress": [
    nameColumn,
    column("Class", (obj) => str(field(obj, "spec", "ingressClassName"))),
    column("Hosts", ingressHosts),
    column("Address", loadBalancerAddress),
    column("Ports", ingressPorts),
    ageColumn,
  ],
  "networking.k8s.io/IngressClass": [
    nameColumn,
    column("Controller", (obj) => str(field(obj, "spec", "controller"), "")),
    column("Parameters", (obj) => str(field(obj, "spec", "parameters", "name"))),
    ageColumn,
  ],
  "networking.k8s.io/NetworkPolicy": [
    nameColumn,
    column("Pod-Selector", (obj) => {
      const text = selectorText(field(obj, "spec", "podSelector"));
      return text === "<none>" ? "<none>" : text;
    }),
    ageColumn,
  ],
  "discovery.k8s.io/EndpointSlice": [
    nameColumn,
    column("AddressType", (obj) => str(obj.addressType, "")),
    column("Ports", (obj) =>
      joined(
        list(obj.ports).map((port) => field(port, "port")),
        "<unset>",
      ),
    ),
    column("Endpoints", (obj) =>
      endpointsText(
        list(obj.endpoints).flatMap((endpoint) =>
          list(field(endpoint, "addresses")).map((address) => String(address)),
        ),
        [],
      ),
    ),
    ageColumn,
  ],
  "/Endpoints": [
    nameColumn,
    column("Endpoints", (obj) => {
      const subsets = list(obj.subsets);
      const addresses = subsets.flatMap((subset) =>
        list(field(subset, "addresses")).map((a) => str(field(a, "ip"), "")),
      );
      const ports = subsets.flatMap((subset) =>
        list(field(subset, "ports")).map((p) => num(field(p, "port"))),
      );
      return endpointsText(addresses, ports);
    }),
    ageColumn,
  ],
  "/PersistentVolumeClaim": [
    nameColumn,
    column("Status", (obj) => str(field(obj, "status", "phase"), "Pending")),
    column("Volume", (obj) => str(field(obj, "spec", "volumeName"), "")),
    column("Capacity", (obj) => str(field(obj, "status", "capacity", "storage"), "")),
    column("Access Modes", (obj) => accessModes(field(obj, "status", "accessModes"))),
    column("StorageClass", (obj) => str(field(obj, "spec", "storageClassName"))),
    column("VolumeAttributesClass", (obj) => str(field(obj, "spec", "volumeAttributesClassName"), "<unset>")),
    ageColumn,
  ],
  "/PersistentVolume": [
    nameColumn,
    column("Capacity", (obj) => str(field(obj, "spec", "capacity", "storage"), "")),
    column("Access Modes", (obj) => accessModes(field(obj, "spec", "accessModes"))),
    column("Reclaim Policy", (obj) => str(field(obj, "spec", "persistentVolumeReclaimPolicy"), "")),
    column("Status", (obj) => str(field(obj, "status", "phase"), "")),
    column("Claim", (obj) => {
      const ref = field(obj, "spec", "claimRef");
      return isPlainObject(ref) ? `${str(ref.namespace, "")}/${str(ref.name, "")}` : "";
    }),
    column("StorageClass", (obj) => str(field(obj, "spec", "storageClassName"), "")),
    column("VolumeAttributesClass", (obj) => str(field(obj, "spec", "volumeAttributesClassName"), "<unset>")),
    column("Reason", (obj) => str(field(obj, "status", "reason"), "")),
    ageColumn,
  ],
  "storage.k8s.io/StorageClass": [
    nameColumn,
    column("Provisioner", (obj) => str(obj.provisioner, "")),
    column("ReclaimPolicy", (obj) => str(obj.reclaimPolicy, "Delete")),
    column("VolumeBindingMode", (obj) => str(obj.volumeBindingMode, "Immediate")),
    column("AllowVolumeExpansion", (obj) => obj.allowVolumeExpansion === true, 0, "boolean"),
    ageColumn,
  ],
  "/ServiceAccount": [
    nameColumn,
    column("Secrets", (obj) => list(obj.secrets).length, 0, "integer"),
    ageColumn,
  ],
  "rbac.authorization.k8s.io/Role": [nameColumn, createdAt],
  "rbac.authorization.k8s.io/ClusterRole": [nameColumn, createdAt],
  "rbac.authorization.k8s.io/RoleBinding": bindingColumns,
  "rbac.authorization.k8s.io/ClusterRoleBinding": bindingColumns,
  "policy/PodDisruptionBudget": [
    nameColumn,
    column("Min Available", (obj) => String(field(obj, "spec", "minAvailable") ?? "N/A")),
    column("Max Unavailable", (obj) => String(field(obj, "spec", "maxUnavailable") ?? "N/A")),
    column("Allowed Disruptions", (obj) => num(field(obj, "status", "disruptionsAllowed")), 0, "integer"),
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
  "scheduling.k8s.io/PriorityClass": [
    nameColumn,
    column("Value", (obj) => num(obj.value), 0, "integer"),
    column("Global-Default", (obj) => obj.globalDefault === true, 0, "boolean"),
    ageColumn,
    column("PreemptionPolicy", (obj) => str(obj.preemptionPolicy, "PreemptLowerPriority")),
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
  "/Event": [
    column("Last Seen", eventLastSeen),
    column("Type", (obj) => str(obj.type, "")),
    column("Reason", (obj) => str(obj.reason, "")),
    column("Object", eventObject),
    column("Message", (obj) => str(obj.message, "").trim()),
    column("Subobject", (obj) => str(field(obj, "involvedObject", "fieldPath"), ""), 1),
    column("Source", (obj) => str(field(obj, "source", "component"), ""), 1),
    column("First Seen", (obj, now) => age(obj.firstTimestamp ?? obj.metadata?.creationTimestamp, now), 1),
    column("Count", (obj) => num(obj.count) || 1, 1, "integer"),
    column("Name", (obj) => obj.metadata?.name ?? "", 1),
  ],
};

function accessModes(value: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: "RWO",
    ReadOnlyMany: "ROX",
    ReadWriteMany: "RWX",
    ReadWriteOncePod: "RWOP",
  };
  return joined(
    list(value).map((mode) => short[String(mode)] ?? String(mode)),
    "",
  );
}
