import {
  compileFieldSelector,
  compileLabelSelector,
  SelectorError,
  selectableFieldPaths,
} from "@meshsync/k8s";
import type { FilterView, ResourceFilter } from "./types.js";

export class FilterError extends Error {
  override name = "FilterError";
}

export type ResourcePredicate = (resource: FilterView) => boolean;

/** A field selector's value for one object: lifted when it was stored, never parsed again here. */
function readField(resource: FilterView, path: string): string {
  if (path === "metadata.name") return resource.name;
  if (path === "metadata.namespace") return resource.namespace ?? "";
  return resource.fields[path] ?? "";
}

function nonEmpty(values: readonly string[] | null | undefined): ReadonlySet<string> | undefined {
  return values && values.length > 0 ? new Set(values) : undefined;
}

/** Compiles a ResourceFilter once; selector syntax errors surface here as FilterError. */
export function compileFilter(filter: ResourceFilter = {}): ResourcePredicate {
  const checks: ResourcePredicate[] = [];
  const clusters = nonEmpty(filter.clusterIds);
  if (clusters) checks.push((r) => clusters.has(r.clusterId));
  const apiVersions = nonEmpty(filter.apiVersions);
  if (apiVersions) checks.push((r) => apiVersions.has(r.apiVersion));
  const kinds = nonEmpty(filter.kinds);
  if (kinds) checks.push((r) => kinds.has(r.kind));
  const namespaces = nonEmpty(filter.namespaces);
  if (namespaces) checks.push((r) => namespaces.has(r.namespace ?? ""));
  const names = nonEmpty(filter.names);
  if (names) checks.push((r) => names.has(r.name));
  const search = filter.search?.trim().toLowerCase();
  if (search) checks.push((r) => r.name.toLowerCase().includes(search));
  try {
    if (filter.labelSelector) {
      const labels = compileLabelSelector(filter.labelSelector);
      checks.push((r) => labels(r.labels));
    }
    if (filter.fieldSelector) {
      const fields = compileFieldSelector(filter.fieldSelector);
      const unsupported = fields.fields.filter((f) => !selectableFieldPaths.has(f));
      if (unsupported.length > 0) {
        throw new FilterError(
          `field label not supported: ${unsupported.join(", ")} (supported: ${[...selectableFieldPaths].join(", ")})`,
        );
      }
      checks.push((r) => fields.matches((path) => readField(r, path)));
    }
  } catch (error) {
    if (error instanceof SelectorError) throw new FilterError(error.message);
    throw error;
  }
  if (checks.length === 0) return () => true;
  return (r) => checks.every((check) => check(r));
}
