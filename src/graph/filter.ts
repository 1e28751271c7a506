import {
  builtinFieldLabels,
  compileFieldSelector,
  compileLabelSelector,
  type FieldSelector,
  type LabelSelector,
  SelectorCache,
  SelectorError,
  unsupportedField,
} from "@meshsync/k8s";
import type { FilterView, ResourceFilter } from "./types.js";

export class FilterError extends Error {
  override name = "FilterError";
}

export type ResourcePredicate = (resource: FilterView) => boolean;

/**
 * A filter spans kinds, so a field label is accepted when some built-in kind accepts it; an object of
 * a kind without that field reads "" there, as the field's absence reads on the real server.
 */
function fieldOf(label: string): string {
  const field = builtinFieldLabels.get(label);
  if (field === undefined) throw unsupportedField(label);
  return field;
}

// One compile per selector text across every query, alias and subscription of the process.
const labelSelectors = new SelectorCache<LabelSelector>((text) => compileLabelSelector(text));
const fieldSelectors = new SelectorCache<FieldSelector>((text) => compileFieldSelector(text, fieldOf));

/** A field selector's value for one object: lifted when it was stored, never parsed again here. */
function readField(resource: FilterView, field: string): string {
  if (field === "metadata.name") return resource.name;
  if (field === "metadata.namespace") return resource.namespace ?? "";
  return resource.fields[field] ?? "";
}

function nonEmpty(values: readonly string[] | null | undefined): ReadonlySet<string> | undefined {
  return values && values.length > 0 ? new Set(values) : undefined;
}

/** A compiled selector; its error says which of the filter's selectors it is about. */
function compiled<T>(kind: "label" | "field", cache: SelectorCache<T>, text: string): T {
  try {
    return cache.get(text);
  } catch (error) {
    if (!(error instanceof SelectorError)) throw error;
    const about = `${kind} selector`;
    throw new FilterError(error.message.startsWith(about) ? error.message : `${about}: ${error.message}`);
  }
}

function selectors(filter: ResourceFilter): { labels?: LabelSelector; fields?: FieldSelector } {
  return {
    ...(filter.labelSelector ? { labels: compiled("label", labelSelectors, filter.labelSelector) } : {}),
    ...(filter.fieldSelector ? { fields: compiled("field", fieldSelectors, filter.fieldSelector) } : {}),
  };
}

/** The compiled label selector of a filter, if it has one; compileFilter has already checked it. */
export function labelSelectorOf(filter: ResourceFilter): LabelSelector | undefined {
  return selectors(filter).labels;
}

/**
 * What evaluating a filter against one object costs: the requirements and values of its selectors,
 * plus one per other narrowing field. A request's budget can count it once per object filtered.
 */
export function filterCost(filter: ResourceFilter = {}): number {
  const { labels, fields } = selectors(filter);
  const narrowing = [
    filter.clusterIds,
    filter.apiVersions,
    filter.kinds,
    filter.namespaces,
    filter.names,
  ].filter((values) => values && values.length > 0).length;
  return narrowing + (filter.search?.trim() ? 1 : 0) + (labels?.cost ?? 0) + (fields?.cost ?? 0);
}

/**
 * What matching one change against a filter costs, in the evaluations filterCost counts: its new state,
 * and for a MODIFIED the view of the state it replaced, each visited once and matched.
 */
export function changeEvaluations(filter: ResourceFilter = {}): number {
  return 2 * (1 + filterCost(filter));
}

/** Compiles a ResourceFilter once; selector errors surface here as FilterError. */
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
  const { labels, fields } = selectors(filter);
  if (labels) checks.push((r) => labels.matches(r.labels));
  if (fields) checks.push((r) => fields.matches((field) => readField(r, field)));
  if (checks.length === 0) return () => true;
  return (r) => checks.every((check) => check(r));
}
