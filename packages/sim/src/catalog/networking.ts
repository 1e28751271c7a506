import { groupVersion } from "./define.js";
import type { SimResourceType } from "./types.js";

const networking = groupVersion("networking.k8s.io", "v1");
const discovery = groupVersion("discovery.k8s.io", "v1");

/** networking.k8s.io/v1 and discovery.k8s.io/v1. */
export const networkingTypes: readonly SimResourceType[] = [
  networking.cluster("ingressclasses", "IngressClass"),
  networking.namespaced("ingresses", "Ingress", { shortNames: ["ing"], subresources: ["status"] }),
  networking.cluster("ipaddresses", "IPAddress", { shortNames: ["ip"] }),
  networking.namespaced("networkpolicies", "NetworkPolicy", { shortNames: ["netpol"] }),
  networking.cluster("servicecidrs", "ServiceCIDR", { subresources: ["status"] }),
  discovery.namespaced("endpointslices", "EndpointSlice"),
];
