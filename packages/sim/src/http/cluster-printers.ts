// Printer columns for the cluster's own objects (namespaces, nodes, config, storage, RBAC,
// scheduling, events), as the real server's printers name and fill them.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";
import {
  age,
  ageColumn,
  column,
  createdAt,
  field,
  joined,
  list,
  nameColumn,
  num,
  str,
  type TableColumn,
} from "./printer-columns.js";

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

function dataCount(obj: KubeObject): number {
  const data = isPlainObject(obj.data) ? Object.keys(obj.data).length : 0;
  const binary = isPlainObject(obj.binaryData) ? Object.keys(obj.binaryData).length : 0;
  return data + binary;
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

function eventObject(obj: KubeObject): string {
  const kind = str(field(obj, "involvedObject", "kind"), "").toLowerCase();
  return `${kind}/${str(field(obj, "involvedObject", "name"), "")}`;
}

function eventLastSeen(obj: KubeObject, now: number): string {
  const last = field(obj, "lastTimestamp") ?? field(obj, "eventTime") ?? obj.metadata?.creationTimestamp;
  return age(last, now);
}

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

export const clusterColumns: Record<string, TableColumn[]> = {
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
  "/ServiceAccount": [
    nameColumn,
    column("Secrets", (obj) => list(obj.secrets).length, 0, "integer"),
    ageColumn,
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
  "storage.k8s.io/StorageClass": [
    nameColumn,
    column("Provisioner", (obj) => str(obj.provisioner, "")),
    column("ReclaimPolicy", (obj) => str(obj.reclaimPolicy, "Delete")),
    column("VolumeBindingMode", (obj) => str(obj.volumeBindingMode, "Immediate")),
    column("AllowVolumeExpansion", (obj) => obj.allowVolumeExpansion === true, 0, "boolean"),
    ageColumn,
  ],
  "rbac.authorization.k8s.io/Role": [nameColumn, createdAt],
  "rbac.authorization.k8s.io/ClusterRole": [nameColumn, createdAt],
  "rbac.authorization.k8s.io/RoleBinding": bindingColumns,
  "rbac.authorization.k8s.io/ClusterRoleBinding": bindingColumns,
  "scheduling.k8s.io/PriorityClass": [
    nameColumn,
    column("Value", (obj) => num(obj.value), 0, "integer"),
    column("Global-Default", (obj) => obj.globalDefault === true, 0, "boolean"),
    ageColumn,
    column("PreemptionPolicy", (obj) => str(obj.preemptionPolicy, "PreemptLowerPriority")),
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
