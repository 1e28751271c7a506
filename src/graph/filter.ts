import {
  builtinFieldLabels,
  compileFieldSelector,
  compileLabelSelector,
  defaultSelectorLimits,
  type FieldSelector,
  type LabelSelector,
  listExcerpt,
  metadataFieldLabels,
  SelectorCache,
  SelectorError,
  selectableFields,
  unsupportedField,
} from "@meshsync/k8s";
import type { ResourceType } from "../kube/index.js";
import { FilterError } from "./filter-error.js";
import { inKindScope, type KindSelection, type KnownNames } from "./filter-names.js";
import type { FilterView, ResourceFilter } from "./types.js";

export { FilterError };

export type ResourcePredicate = (resource: FilterView) => boolean;

/**
 * Every label some built-in kind accepts reads its field (a Pod's old spec.host reads spec.nodeName);
 * which labels a filter may use depends on its kinds, and is checked per filter (checkFieldLabels).
 */
const fieldOf = (label: string): string => builtinFieldLabels.get(label) ?? label;

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

interface Selectors {
  labels?: LabelSelector;
  fields?: FieldSelector;
}

function selectors(filter: ResourceFilter): Selectors {
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
    filter.uids,
    filter.ownerUids,
  ].filter((values) => values && values.length > 0).length;
  checkAnnotationCount(filter);
  return (
    narrowing +
    (filter.search?.trim() ? 1 : 0) +
    (filter.annotations?.length ?? 0) +
    (labels?.cost ?? 0) +
    (fields?.cost ?? 0)
  );
}

/**
 * Annotation matches are requirements as a selector's are, each evaluated against every object
 * filtered, and bounded as a selector's requirements are.
 */
export const maxAnnotationMatches = defaultSelectorLimits.maxRequirements;

function checkAnnotationCount(filter: ResourceFilter): void {
  const count = filter.annotations?.length ?? 0;
  if (count > maxAnnotationMatches)
    throw new FilterError(`annotations: ${count} matches, at most ${maxAnnotationMatches}`);
}

/**
 * What matching one change against a filter costs, in the evaluations filterCost counts: its new state,
 * and for a MODIFIED the view of the state it replaced, each visited once and matched.
 */
export function changeEvaluations(filter: ResourceFilter = {}): number {
  return 2 * (1 + filterCost(filter));
}

/** A kind as a message names it: `Pod`, `ReplicaSet.apps`, as kubectl reads `Kind.group`. */
function kindName(type: ResourceType): string {
  return type.group === "" ? type.kind : `${type.kind}.${type.group}`;
}

/**
 * A field selector's labels, checked as the API server checks them per kind: with kinds, each label
 * against every kind named, the refusal listing that kind's labels; without, a label some built-in kind
 * accepts goes (an object of another kind reads "" there, as the field's absence reads on the server).
 */
function checkFieldLabels(fields: FieldSelector, types: readonly ResourceType[] | undefined): void {
  for (const label of fields.labels) {
    if (types === undefined) {
      if (builtinFieldLabels.has(label)) continue;
      throw unsupportedField(
        label,
        `every kind has ${metadataFieldLabels.join(" and ")}; name a kind in kinds for the fields it has besides`,
      );
    }
    for (const type of types) {
      const selectable = selectableFields(type.group, type.kind);
      if (selectable.fieldOf(label) !== undefined) continue;
      throw unsupportedField(
        label,
        `${kindName(type)} supports ${listExcerpt(selectable.labels, { max: 20 })}`,
      );
    }
  }
}

/** A filter checked against what the graph knows, ready to compile and to pick the indexes it reads. */
export interface ResolvedFilter {
  readonly filter: ResourceFilter;
  /** Undefined when the filter names no kind. */
  readonly kinds: KindSelection | undefined;
  readonly labels: LabelSelector | undefined;
  readonly fields: FieldSelector | undefined;
}

/**
 * Checks a filter against what the graph knows and compiles its selectors. FilterError, with one short
 * line, for a selector that does not compile, a field label its kinds do not have, or a kind,
 * apiVersion or cluster id nothing answers to.
 */
export function resolveFilter(filter: ResourceFilter, known: KnownNames): ResolvedFilter {
  checkAnnotationCount(filter);
  const kinds = filter.kinds && filter.kinds.length > 0 ? known.kinds(filter.kinds) : undefined;
  if (filter.apiVersions && filter.apiVersions.length > 0) known.checkApiVersions(filter.apiVersions);
  if (filter.clusterIds && filter.clusterIds.length > 0) known.checkClusterIds(filter.clusterIds);
  const { labels, fields } = selectors(filter);
  if (fields) {
    try {
      checkFieldLabels(fields, kinds?.types);
    } catch (error) {
      if (!(error instanceof SelectorError)) throw error;
      throw new FilterError(`field selector: ${error.message}`);
    }
  }
  return { filter, kinds, labels, fields };
}

/** Compiles a resolved filter into the predicate a scan or a subscription runs per object. */
export function compileFilter(resolved: ResolvedFilter): ResourcePredicate {
  const { filter, kinds, labels, fields } = resolved;
  const checks: ResourcePredicate[] = [];
  const clusters = nonEmpty(filter.clusterIds);
  if (clusters) checks.push((r) => clusters.has(r.clusterId));
  const apiVersions = nonEmpty(filter.apiVersions);
  if (apiVersions) checks.push((r) => apiVersions.has(r.apiVersion));
  if (kinds) {
    const { byKind } = kinds;
    checks.push((r) => {
      const scopes = byKind.get(r.kind);
      if (scopes === undefined) return false;
      for (const scope of scopes) if (inKindScope(r.apiVersion, scope)) return true;
      return false;
    });
  }
  const namespaces = nonEmpty(filter.namespaces);
  if (namespaces) checks.push((r) => namespaces.has(r.namespace ?? ""));
  const names = nonEmpty(filter.names);
  if (names) checks.push((r) => names.has(r.name));
  const search = filter.search?.trim().toLowerCase();
  if (search) checks.push((r) => r.name.toLowerCase().includes(search));
  const uids = nonEmpty(filter.uids);
  if (uids) checks.push((r) => uids.has(r.uid));
  const owners = nonEmpty(filter.ownerUids);
  if (owners) checks.push((r) => r.ownerReferences.some((owner) => owners.has(owner.uid)));
  const annotations = filter.annotations;
  if (annotations && annotations.length > 0)
    checks.push((r) =>
      annotations.every(({ key, value }) => {
        // Own keys only: "constructor" is no annotation of a plain object.
        if (!Object.hasOwn(r.annotations, key)) return false;
        return value === undefined || value === null || r.annotations[key] === value;
      }),
    );
  if (labels) checks.push((r) => labels.matches(r.labels));
  if (fields) checks.push((r) => fields.matches((field) => readField(r, field)));
  if (checks.length === 0) return () => true;
  return (r) => checks.every((check) => check(r));
}
