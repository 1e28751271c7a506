// Turns a request path into what it addresses: a discovery document, or a resource (type,
// namespace, name, subresource), the way the real server's path layout works.
export type Route =
  | { kind: "discovery-legacy" }
  | { kind: "discovery-groups" }
  | { kind: "discovery-group"; group: string }
  | { kind: "discovery-version"; group: string; version: string }
  | {
      kind: "resource";
      group: string;
      version: string;
      resource: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** The old /watch/ path prefix. */
      watchPath: boolean;
    };

/** Parses a path; isNamespacedResource tells "namespaces/NS/pods" from "namespaces/NAME/status". */
export function parseRoute(
  pathname: string,
  isNamespacedResource: (group: string, version: string, resource: string) => boolean,
): Route | undefined {
  const decoded = pathname
    .split("/")
    .filter((part) => part !== "")
    .map(decodeSegment);
  if (decoded.includes(undefined)) return undefined;
  const parts = decoded as string[];
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 1) return { kind: "discovery-legacy" };
    group = "";
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    if (parts.length === 1) return { kind: "discovery-groups" };
    if (parts.length === 2) return { kind: "discovery-group", group: parts[1]! };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { kind: "discovery-version", group, version };
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest.length > 5) return undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && isNamespacedResource(group, version, rest[2]!)) {
    return withOptional(
      { kind: "resource", group, version, resource: rest[2]!, watchPath },
      rest[1],
      rest[3],
      rest[4],
    );
  }
  if (rest.length > 3) return undefined;
  return withOptional(
    { kind: "resource", group, version, resource: rest[0]!, watchPath },
    undefined,
    rest[1],
    rest[2],
  );
}

function withOptional(
  route: Extract<Route, { kind: "resource" }>,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
): Route {
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (subresource !== undefined) route.subresource = subresource;
  return route;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
