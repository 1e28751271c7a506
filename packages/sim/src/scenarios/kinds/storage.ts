import type { KubeObject } from "../../object-api.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export const storageClassName = "standard";
const provisioner = "rancher.io/local-path";

export function buildStorageClass(stamp: Stamp): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: objectMeta(stamp, storageClassName, {
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    }),
    provisioner,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
}

/** A claim and the volume dynamically provisioned for it, bound to each other both ways. */
export function buildBoundClaim(
  stamp: Stamp,
  namespace: string,
  name: string,
  storage: string,
  nodeName: string,
  labels?: Record<string, string>,
): { claim: KubeObject; volume: KubeObject } {
  const claimMeta = objectMeta(stamp, name, {
    namespace,
    ...(labels ? { labels } : {}),
    annotations: {
      "pv.kubernetes.io/bind-completed": "yes",
      "pv.kubernetes.io/bound-by-controller": "yes",
      "volume.beta.kubernetes.io/storage-provisioner": provisioner,
      "volume.kubernetes.io/selected-node": nodeName,
      "volume.kubernetes.io/storage-provisioner": provisioner,
    },
  });
  claimMeta.finalizers = ["kubernetes.io/pvc-protection"];
  // The provisioner names a volume after its claim's uid.
  const volumeName = `pvc-${claimMeta.uid ?? ""}`;
  const claim: KubeObject = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: claimMeta,
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage } },
      storageClassName,
      volumeMode: "Filesystem",
      volumeName,
    },
    status: { accessModes: ["ReadWriteOnce"], capacity: { storage }, phase: "Bound" },
  };
  const volumeMeta = objectMeta(stamp, volumeName, {
    annotations: { "pv.kubernetes.io/provisioned-by": provisioner },
  });
  volumeMeta.finalizers = ["kubernetes.io/pv-protection"];
  const volume: KubeObject = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: volumeMeta,
    spec: {
      accessModes: ["ReadWriteOnce"],
      capacity: { storage },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        name,
        namespace,
        uid: claimMeta.uid,
      },
      hostPath: {
        path: `/var/local-path-provisioner/${volumeName}_${namespace}_${name}`,
        type: "DirectoryOrCreate",
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [nodeName] }] },
          ],
        },
      },
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName,
      volumeMode: "Filesystem",
    },
    status: { phase: "Bound" },
  };
  return { claim, volume };
}
