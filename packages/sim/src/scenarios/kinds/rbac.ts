import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface Subject {
  kind: "ServiceAccount" | "User" | "Group";
  name: string;
  namespace?: string;
}

const bootstrap = () => ({ "kubernetes.io/bootstrapping": "rbac-defaults" });
const autoupdate = () => ({ "rbac.authorization.kubernetes.io/autoupdate": "true" });

function subjectList(subjects: readonly Subject[]) {
  return subjects.map((s) =>
    s.kind === "ServiceAccount"
      ? { kind: s.kind, name: s.name, namespace: s.namespace ?? "default" }
      : { apiGroup: "rbac.authorization.k8s.io", kind: s.kind, name: s.name },
  );
}

const rules = (list: readonly PolicyRule[]) =>
  list.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));

export function buildClusterRole(
  stamp: Stamp,
  name: string,
  list: readonly PolicyRule[],
  system = false,
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: objectMeta(stamp, name, system ? { labels: bootstrap(), annotations: autoupdate() } : {}),
    rules: rules(list),
  };
}

export function buildClusterRoleBinding(
  stamp: Stamp,
  name: string,
  role: string,
  subjects: readonly Subject[],
  system = false,
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: objectMeta(stamp, name, system ? { labels: bootstrap(), annotations: autoupdate() } : {}),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjectList(subjects),
  };
}

export function buildRole(
  stamp: Stamp,
  namespace: string,
  name: string,
  list: readonly PolicyRule[],
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: objectMeta(stamp, name, { namespace }),
    rules: rules(list),
  };
}

export function buildRoleBinding(
  stamp: Stamp,
  namespace: string,
  name: string,
  roleRef: { kind: "Role" | "ClusterRole"; name: string },
  subjects: readonly Subject[],
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: objectMeta(stamp, name, { namespace }),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleRef.kind, name: roleRef.name },
    subjects: subjectList(subjects),
  };
}
