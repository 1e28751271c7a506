import { buildClusterRole, buildClusterRoleBinding, type PolicyRule } from "../kinds/rbac.js";
import type { ScenarioBuilder } from "../stamp.js";

const readVerbs = ["get", "list", "watch"];
const writeVerbs = ["create", "delete", "deletecollection", "patch", "update"];

const workloadResources: PolicyRule[] = [
  {
    apiGroups: [""],
    resources: ["configmaps", "endpoints", "persistentvolumeclaims", "pods", "services"],
    verbs: [],
  },
  { apiGroups: ["apps"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"], verbs: [] },
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: [] },
];

const withVerbs = (rules: PolicyRule[], verbs: string[]): PolicyRule[] => rules.map((r) => ({ ...r, verbs }));

/** The bootstrap roles every cluster has, and the bindings that give components their rights. */
export function addClusterRbac(builder: ScenarioBuilder): void {
  const everything: PolicyRule[] = [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
  builder.add(buildClusterRole(builder, "cluster-admin", everything, true));
  builder.add(
    buildClusterRole(builder, "admin", withVerbs(workloadResources, [...readVerbs, ...writeVerbs]), true),
  );
  builder.add(
    buildClusterRole(builder, "edit", withVerbs(workloadResources, [...readVerbs, ...writeVerbs]), true),
  );
  builder.add(buildClusterRole(builder, "view", withVerbs(workloadResources, readVerbs), true));
  builder.add(
    buildClusterRole(
      builder,
      "system:node-proxier",
      [
        { apiGroups: [""], resources: ["endpoints", "services", "nodes"], verbs: readVerbs },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: readVerbs },
      ],
      true,
    ),
  );
  builder.add(
    buildClusterRole(
      builder,
      "system:coredns",
      [
        {
          apiGroups: [""],
          resources: ["endpoints", "services", "pods", "namespaces"],
          verbs: ["list", "watch"],
        },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
      false,
    ),
  );
  builder.add(
    buildClusterRole(
      builder,
      "system:metrics-server",
      [{ apiGroups: [""], resources: ["nodes/metrics", "pods", "nodes"], verbs: readVerbs }],
      false,
    ),
  );
  builder.add(
    buildClusterRole(
      builder,
      "system:kube-scheduler",
      [
        { apiGroups: [""], resources: ["pods", "nodes", "persistentvolumeclaims"], verbs: readVerbs },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "update"] },
      ],
      true,
    ),
  );
  builder.add(
    buildClusterRoleBinding(
      builder,
      "cluster-admin",
      "cluster-admin",
      [{ kind: "Group", name: "system:masters" }],
      true,
    ),
  );
  builder.add(
    buildClusterRoleBinding(builder, "kubeadm:node-proxier", "system:node-proxier", [
      { kind: "ServiceAccount", name: "kube-proxy", namespace: "kube-system" },
    ]),
  );
  builder.add(
    buildClusterRoleBinding(builder, "system:coredns", "system:coredns", [
      { kind: "ServiceAccount", name: "coredns", namespace: "kube-system" },
    ]),
  );
  builder.add(
    buildClusterRoleBinding(builder, "system:metrics-server", "system:metrics-server", [
      { kind: "ServiceAccount", name: "metrics-server", namespace: "kube-system" },
    ]),
  );
  builder.add(
    buildClusterRoleBinding(
      builder,
      "system:kube-scheduler",
      "system:kube-scheduler",
      [{ kind: "User", name: "system:kube-scheduler" }],
      true,
    ),
  );
}
