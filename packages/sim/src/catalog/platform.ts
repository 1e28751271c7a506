import { groupVersion } from "./define.js";
import type { SimResourceType } from "./types.js";

const rbac = groupVersion("rbac.authorization.k8s.io", "v1");
const storage = groupVersion("storage.k8s.io", "v1");
const coordination = groupVersion("coordination.k8s.io", "v1");
const events = groupVersion("events.k8s.io", "v1");
const scheduling = groupVersion("scheduling.k8s.io", "v1");
const node = groupVersion("node.k8s.io", "v1");
const certificates = groupVersion("certificates.k8s.io", "v1");
const flowcontrol = groupVersion("flowcontrol.apiserver.k8s.io", "v1");

const status = ["status"];

/** Access control, storage, coordination, events, scheduling, node, certificates and flow control. */
export const platformTypes: readonly SimResourceType[] = [
  rbac.cluster("clusterrolebindings", "ClusterRoleBinding"),
  rbac.cluster("clusterroles", "ClusterRole"),
  rbac.namespaced("rolebindings", "RoleBinding"),
  rbac.namespaced("roles", "Role"),
  storage.cluster("csidrivers", "CSIDriver"),
  storage.cluster("csinodes", "CSINode", { subresources: status }),
  storage.namespaced("csistoragecapacities", "CSIStorageCapacity"),
  storage.cluster("storageclasses", "StorageClass", { shortNames: ["sc"] }),
  storage.cluster("volumeattachments", "VolumeAttachment", { subresources: status }),
  storage.cluster("volumeattributesclasses", "VolumeAttributesClass", { shortNames: ["vac"] }),
  coordination.namespaced("leases", "Lease"),
  events.namespaced("events", "Event", { shortNames: ["ev"] }),
  scheduling.cluster("priorityclasses", "PriorityClass", { shortNames: ["pc"] }),
  node.cluster("runtimeclasses", "RuntimeClass"),
  certificates.cluster("certificatesigningrequests", "CertificateSigningRequest", {
    shortNames: ["csr"],
    subresources: ["approval", "status"],
  }),
  certificates.cluster("clustertrustbundles", "ClusterTrustBundle"),
  certificates.namespaced("podcertificaterequests", "PodCertificateRequest", { subresources: status }),
  flowcontrol.cluster("flowschemas", "FlowSchema", { subresources: status }),
  flowcontrol.cluster("prioritylevelconfigurations", "PriorityLevelConfiguration", { subresources: status }),
];
