// Address plans that stay valid at 5,000 nodes and 10,000 services.

/** Node i's InternalIP in 172.18.0.0/16, skipping the network and gateway addresses. */
export function nodeIp(index: number): string {
  const n = index + 2;
  return `172.18.${n >> 8}.${n & 255}`;
}

/** Node i's pod range: a /24 out of 10.64.0.0/10. */
export function podCidr(index: number): string {
  return `10.${64 + (index >> 8)}.${index & 255}.0/24`;
}

/** The slot-th pod IP on node i; slots 0 and 1 are the network and the bridge. */
export function podIp(nodeIndex: number, slot: number): string {
  return `10.${64 + (nodeIndex >> 8)}.${nodeIndex & 255}.${slot + 2}`;
}

/** The n-th ClusterIP in 10.96.0.0/12; n=1 is the kubernetes service, n=10 is kube-dns. */
export function clusterIp(n: number): string {
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export const kubernetesServiceIp = clusterIp(1);
export const dnsServiceIp = clusterIp(10);
