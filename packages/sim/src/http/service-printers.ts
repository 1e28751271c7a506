// Printer columns for services and networking (Services, endpoints, ingresses, network policies), as
// the real server's printers name and fill them.
import type { KubeObject } from "../object-api.js";
import { isPlainObject } from "../store/object-meta.js";
import {
  ageColumn,
  column,
  field,
  joined,
  list,
  nameColumn,
  num,
  selectorText,
  str,
  type TableColumn,
} from "./printer-columns.js";

function servicePorts(obj: KubeObject): string {
  const ports = list(field(obj, "spec", "ports")).map((port) => {
    const nodePort = field(port, "nodePort");
    const base = `${num(field(port, "port"))}${typeof nodePort === "number" ? `:${nodePort}` : ""}`;
    return `${base}/${str(field(port, "protocol"), "TCP")}`;
  });
  return ports.length > 0 ? ports.join(",") : "<none>";
}

function loadBalancerAddress(obj: KubeObject): string {
  return joined(
    list(field(obj, "status", "loadBalancer", "ingress")).map(
      (entry) => str(field(entry, "ip"), "") || str(field(entry, "hostname"), ""),
    ),
    "",
  );
}

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

export const serviceColumns: Record<string, TableColumn[]> = {
  "/Service": [
    nameColumn,
    column("Type", (obj) => str(field(obj, "spec", "type"), "ClusterIP")),
    column("Cluster-IP", (obj) => str(field(obj, "spec", "clusterIP"))),
    column("External-IP", (obj) => {
      const ingress = list(field(obj, "status", "loadBalancer", "ingress"));
      const ips = ingress.map((entry) => str(field(entry, "ip"), "")).filter(Boolean);
      return ips.length > 0 ? ips.join(",") : "<none>";
    }),
    column("Port(s)", servicePorts),
    ageColumn,
    column(
      "Selector",
      (obj) => {
        const selector = field(obj, "spec", "selector");
        return isPlainObject(selector) && Object.keys(selector).length > 0
          ? Object.entries(selector)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(",")
          : "<none>";
      },
      1,
    ),
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
};
