// The addresses Go MeshSync offers for a Service, which Meshery shows as a possible connection.
// Mirrors meshsync pkg/model/process.go (K8SService.Process, validateURL) over meshkit
// utils/kubernetes/service.go (GetEndpoint with empty ServiceOptions), meshkit v1.0.22.

/** `component_metadata` of a Service: Meshery may turn the Service into a connection at these URLs. */
export interface ServiceComponentMetadata {
  capabilities: { connection: true; urls: string[] };
}

interface HostPort {
  address: string;
  port: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A Go struct field: absent or null leaves it zero; another type than an object fails the decode. */
function goStruct(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  return isRecord(value) ? value : undefined;
}

/** A Go string field: absent or null leaves it empty; another type fails the whole decode. */
function goString(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : undefined;
}

/** A Go int32 field, under the same rules. */
function goInt32(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  return Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647
    ? (value as number)
    : undefined;
}

/**
 * Whether Go's url.ParseRequestURI (Go 1.26, strict colons) accepts `scheme://address:port`, for the
 * addresses a Service can carry: IPs, host names, "" and "localhost". An IPv6 address is refused,
 * as Go refuses a host with more than one colon outside brackets; so is anything a host name may
 * not hold.
 */
function acceptedHost(address: string): boolean {
  return /^[A-Za-z0-9\-._~!$&'()*+,;=<>"\u0080-\uffff]*$/.test(address);
}

function urlOf(endpoint: HostPort): string | undefined {
  // Go skips a headless Service's address, "None", by this same loose test.
  if (endpoint.address.toLowerCase().includes("none")) return undefined;
  if (!acceptedHost(endpoint.address)) return undefined;
  const scheme = endpoint.port === 443 ? "https" : "http";
  return `${scheme}://${endpoint.address}:${endpoint.port}`;
}

/**
 * The endpoints GetEndpoint finds: the cluster IP at the last port, and outside it the node port on
 * "localhost" or the first load-balancer ingress at the last port. Undefined when Go's decode of the
 * Service would fail on a field it reads.
 *
 * For a load balancer Go also dials the outside address (5 s timeout) and, when that fails, gives
 * up on the Service (component_metadata stays null). Dialing every Service on every event is not
 * something a converter should do: the outside address is taken as reachable.
 */
function endpointsOf(
  spec: unknown,
  status: unknown,
): { internal: HostPort; external?: HostPort } | undefined {
  const specRecord = goStruct(spec);
  const statusRecord = goStruct(status);
  if (specRecord === undefined || statusRecord === undefined) return undefined;
  const clusterIP = goString(specRecord.clusterIP);
  if (clusterIP === undefined) return undefined;
  const ports = specRecord.ports ?? [];
  if (!Array.isArray(ports)) return undefined;
  let clusterPort = 0;
  let nodePort = 0;
  for (const port of ports) {
    const entry = goStruct(port);
    if (entry === undefined) return undefined;
    const portNumber = goInt32(entry.port);
    const nodePortNumber = goInt32(entry.nodePort);
    if (portNumber === undefined || nodePortNumber === undefined) return undefined;
    clusterPort = portNumber;
    nodePort = nodePortNumber;
  }
  const internal = { address: clusterIP, port: clusterPort };
  let external: HostPort = { address: "localhost", port: nodePort };
  const loadBalancer = goStruct(statusRecord.loadBalancer);
  if (loadBalancer === undefined) return undefined;
  const ingress = loadBalancer.ingress ?? [];
  if (!Array.isArray(ingress)) return undefined;
  if (ingress.length > 0) {
    const first = goStruct(ingress[0]);
    if (first === undefined) return undefined;
    const ip = goString(first.ip);
    const hostname = goString(first.hostname);
    if (ip === undefined || hostname === undefined) return undefined;
    if (ip === "") external = { address: hostname, port: clusterPort };
    else if (ip === clusterIP || ip === "<pending>") external = { address: clusterIP, port: clusterPort };
    else external = { address: ip, port: clusterPort };
  }
  return external.port === 0 ? { internal } : { internal, external };
}

/** What Go MeshSync puts in `component_metadata` for a Service it did not see deleted. */
export function serviceComponentMetadata(spec: unknown, status: unknown): ServiceComponentMetadata | null {
  const endpoints = endpointsOf(spec, status);
  if (endpoints === undefined) return null;
  const urls: string[] = [];
  for (const endpoint of [endpoints.external, endpoints.internal]) {
    if (endpoint === undefined) continue;
    const url = urlOf(endpoint);
    if (url !== undefined) urls.push(url);
  }
  return { capabilities: { connection: true, urls } };
}
