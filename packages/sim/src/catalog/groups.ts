import type { SimApiGroup } from "./types.js";

const single = (name: string): SimApiGroup => ({ name, versions: ["v1"], preferredVersion: "v1" });

/** The named API groups in the order a real server lists them under /apis. */
export const builtinGroups: readonly SimApiGroup[] = [
  single("apiregistration.k8s.io"),
  single("apps"),
  single("events.k8s.io"),
  single("authentication.k8s.io"),
  single("authorization.k8s.io"),
  { name: "autoscaling", versions: ["v2", "v1"], preferredVersion: "v2" },
  single("batch"),
  single("certificates.k8s.io"),
  single("networking.k8s.io"),
  single("policy"),
  single("rbac.authorization.k8s.io"),
  single("storage.k8s.io"),
  single("admissionregistration.k8s.io"),
  single("apiextensions.k8s.io"),
  single("scheduling.k8s.io"),
  single("coordination.k8s.io"),
  single("node.k8s.io"),
  single("discovery.k8s.io"),
  single("flowcontrol.apiserver.k8s.io"),
];

/** Preferred version by group name; the core group is "". */
export const groupPreferredVersions: Readonly<Record<string, string>> = Object.freeze({
  "": "v1",
  ...Object.fromEntries(builtinGroups.map((group) => [group.name, group.preferredVersion])),
});

export function preferredVersionOf(group: string): string | undefined {
  return groupPreferredVersions[group];
}
