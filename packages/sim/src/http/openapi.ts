// Just enough OpenAPI v3 for kubectl to see that the server validates fields itself: the root
// index, and per group version a document whose PATCH operations name their kind and accept
// fieldValidation. With that, `kubectl apply` and `kubectl create` work without --validate=false
// and leave validation to the server. Schemas are not served.
import { createHash } from "node:crypto";
import type { SimResourceType } from "../catalog.js";
import type { TypeRegistry } from "../store/registry.js";
import { pathNotFound } from "../store/status-error.js";

export const openApiContentType = "application/json";

function groupVersionPaths(registry: TypeRegistry): string[] {
  const paths = ["api/v1"];
  for (const group of registry.groups()) {
    for (const version of group.versions) paths.push(`apis/${group.name}/${version}`);
  }
  return paths;
}

/** GET /openapi/v3: where each group version's document lives. */
export function openApiRoot(registry: TypeRegistry): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const path of groupVersionPaths(registry)) {
    const document = JSON.stringify(openApiDocument(registry, path));
    const hash = createHash("sha256").update(document).digest("hex").slice(0, 32).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/** GET /openapi/v3/api/v1 or /openapi/v3/apis/G/V. */
export function openApiDocument(registry: TypeRegistry, path: string): unknown {
  const parts = path.split("/");
  const [group, version] =
    parts[0] === "api" && parts.length === 2
      ? ["", parts[1]!]
      : parts[0] === "apis" && parts.length === 3
        ? [parts[1]!, parts[2]!]
        : [];
  if (version === undefined || group === undefined) throw pathNotFound();
  const types = registry.ofGroupVersion(group, version);
  if (types.length === 0) throw pathNotFound();
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    if (!type.verbs.includes("patch")) continue;
    paths[itemPath(type)] = { patch: patchOperation(type) };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas: {} },
  };
}

function itemPath(type: SimResourceType): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced
    ? `${base}/namespaces/{namespace}/${type.name}/{name}`
    : `${base}/${type.name}/{name}`;
}

function patchOperation(type: SimResourceType): unknown {
  const query = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });
  return {
    operationId: `patch${type.kind}`,
    parameters: [query("dryRun"), query("fieldManager"), query("fieldValidation"), query("force")],
    responses: { "200": { description: "OK" } },
    "x-kubernetes-action": "patch",
    "x-kubernetes-group-version-kind": { group: type.group, version: type.version, kind: type.kind },
  };
}
