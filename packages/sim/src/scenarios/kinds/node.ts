import type { KubeObject } from "../../object-api.js";
import { nodeIp, podCidr } from "../network.js";
import type { Stamp } from "../stamp.js";
import { objectMeta } from "../stamp.js";

export const zones = ["zone-a", "zone-b", "zone-c"] as const;

export function nodeZone(index: number): string {
  return zones[index % zones.length] ?? "zone-a";
}

function condition(type: string, status: string, reason: string, message: string, time: string) {
  return { type, status, lastHeartbeatTime: time, lastTransitionTime: time, reason, message };
}

/** A kubelet-registered node; control-plane nodes carry the role label and the NoSchedule taint. */
export function buildNode(stamp: Stamp, name: string, index: number, controlPlane: boolean): KubeObject {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": controlPlane ? "m6i.xlarge" : "m6i.2xlarge",
    "topology.kubernetes.io/region": "sim-1",
    "topology.kubernetes.io/zone": nodeZone(index),
  };
  if (controlPlane) {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  const meta = objectMeta(stamp, name, {
    labels,
    annotations: {
      "node.alpha.kubernetes.io/ttl": "0",
      "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    },
  });
  const time = meta.creationTimestamp ?? "";
  const spec: Record<string, unknown> = {
    podCIDR: podCidr(index),
    podCIDRs: [podCidr(index)],
    providerID: `sim://sim-1/${nodeZone(index)}/${name}`,
  };
  if (controlPlane) spec.taints = [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }];
  const cpu = controlPlane ? "4" : "8";
  const memory = controlPlane ? "16260832Ki" : "32657856Ki";
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta,
    spec,
    status: {
      addresses: [
        { type: "InternalIP", address: nodeIp(index) },
        { type: "Hostname", address: name },
      ],
      allocatable: { cpu, "ephemeral-storage": "101430960Ki", memory, pods: "110" },
      capacity: { cpu, "ephemeral-storage": "101430960Ki", memory, pods: "110" },
      conditions: [
        condition(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
          time,
        ),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", time),
        condition(
          "PIDPressure",
          "False",
          "KubeletHasSufficientPID",
          "kubelet has sufficient PID available",
          time,
        ),
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", time),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: stamp.uid(),
        containerRuntimeVersion: "containerd://2.1.3",
        kernelVersion: "6.8.0-1021-aws",
        kubeProxyVersion: "",
        kubeletVersion: "v1.34.1",
        machineID: stamp.random.hex(32),
        operatingSystem: "linux",
        osImage: "Ubuntu 24.04.2 LTS",
        systemUUID: stamp.uid(),
      },
    },
  };
}

/** The heartbeat lease each kubelet renews in kube-node-lease, owned by its Node. */
export function buildNodeLease(stamp: Stamp, node: KubeObject): KubeObject {
  const name = node.metadata?.name ?? "";
  const meta = objectMeta(stamp, name, {
    namespace: "kube-node-lease",
    ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata?.uid ?? "" }],
  });
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: meta,
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: `${(meta.creationTimestamp ?? "").slice(0, 19)}.000000Z`,
    },
  };
}

/** A leader-election lease such as kube-scheduler's. */
export function buildLeaderLease(stamp: Stamp, name: string, holder: string): KubeObject {
  const meta = objectMeta(stamp, name, { namespace: "kube-system" });
  const time = `${(meta.creationTimestamp ?? "").slice(0, 19)}.000000Z`;
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: meta,
    spec: {
      acquireTime: time,
      holderIdentity: `${holder}_${stamp.uid()}`,
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
      renewTime: time,
    },
  };
}
