// The names a filter narrows by, checked against what the graph's clusters have: kinds named as kubectl
// names resource types (packages/k8s resource-mapper.ts), apiVersions and cluster ids. A name that
// matches nothing is refused, as kubectl refuses a type the server does not have, instead of
// selecting nothing in silence.
import {
  apiVersionOf,
  closestName,
  listExcerpt,
  maxListedItems,
  quoteExcerpt,
  ResourceMapper,
  resourceTypeName,
} from "@meshsync/k8s";
import type { ResourceType } from "../kube/index.js";
import { FilterError } from "./filter-error.js";

/** Which objects of one kind a filter's kinds select: those of a group, or of one apiVersion. */
export interface KindScope {
  readonly group: string;
  /** Set when the name gave a version (`deployments.v1.apps`). */
  readonly apiVersion?: string;
}

/** What a filter's kinds resolve to. */
export interface KindSelection {
  /** By the objects' kind, where each may be. */
  readonly byKind: ReadonlyMap<string, readonly KindScope[]>;
  /** The types named, one per group and kind: whose selectable fields a field selector may use. */
  readonly types: readonly ResourceType[];
}

/** Whether an object's apiVersion lies in a scope; it runs once per object filtered, so it slices nothing. */
export function inKindScope(apiVersion: string, scope: KindScope): boolean {
  if (scope.apiVersion !== undefined) return apiVersion === scope.apiVersion;
  const { group } = scope;
  if (group === "") return !apiVersion.includes("/");
  return (
    apiVersion.length > group.length + 1 &&
    apiVersion.charCodeAt(group.length) === 0x2f &&
    apiVersion.startsWith(group)
  );
}

interface Vocabulary {
  /** The list it was built from, to tell when the types changed. */
  readonly source: readonly ResourceType[];
  readonly mapper: ResourceMapper<ResourceType>;
  readonly apiVersions: ReadonlySet<string>;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The names of a list (`kinds "pdo"`, `apiVersions "app/v1"`) that nothing answers to, in one bounded line. */
function unknownNames(
  field: string,
  what: string,
  unknown: readonly string[],
  known: () => Iterable<string>,
): FilterError {
  const named = listExcerpt(unknown, { quote: true });
  // The nearest known name to one of the first few unknown ones: a suggestion costs a comparison with
  // every known name, so ten thousand unknown names do not cost ten thousand of them.
  let suggestion = "";
  const names = [...known()];
  for (const name of unknown.slice(0, maxListedItems)) {
    const near = closestName(name, names);
    if (near !== undefined) {
      suggestion = `; did you mean ${quoteExcerpt(near)}${unknown.length > 1 ? ` for ${quoteExcerpt(name)}` : ""}?`;
      break;
    }
  }
  return new FilterError(`${field}: ${what} ${named}${suggestion}`);
}

/**
 * The names a graph's filters may use: the resource types its clusters serve (the engine's watched
 * types, or those the graph has been fed) and the clusters it holds. Both are read at every filter, so
 * a CRD that comes or goes is named or refused from then on.
 */
export class KnownNames {
  private vocabulary: Vocabulary | undefined;

  constructor(
    private readonly types: () => readonly ResourceType[],
    private readonly clusterIds: () => Iterable<string>,
  ) {}

  /** What `names` select; FilterError when one of them names no known type. */
  kinds(names: readonly string[]): KindSelection {
    const { mapper, source } = this.current();
    const byKind = new Map<string, KindScope[]>();
    const types = new Map<string, ResourceType>();
    const unknown: string[] = [];
    for (const name of new Set(names)) {
      const match = mapper.resolve(name);
      if (match.types.length === 0) unknown.push(name);
      for (const type of match.types) {
        const scope: KindScope = match.versioned
          ? { group: type.group, apiVersion: apiVersionOf(type) }
          : { group: type.group };
        const scopes = byKind.get(type.kind) ?? [];
        if (!scopes.some((s) => s.group === scope.group && s.apiVersion === scope.apiVersion))
          scopes.push(scope);
        byKind.set(type.kind, scopes);
        types.set(`${type.group}/${type.kind}`, type);
      }
    }
    if (unknown.length > 0) {
      if (source.length === 0)
        throw new FilterError(
          `kinds: no resource types are known yet (discovery has not finished), so ${listExcerpt(unknown, { quote: true })} cannot be resolved`,
        );
      const what =
        unknown.length === 1
          ? "the server doesn't have a resource type"
          : "the server doesn't have resource types";
      throw unknownNames("kinds", what, unknown, () => mapper.names());
    }
    return { byKind, types: [...types.values()] };
  }

  /**
   * The type names (`<plural>.<version>.<group>`) a kind name takes at one apiVersion; FilterError, as
   * `kinds` gives it, when the name is no known type's.
   */
  typeNamesAt(name: string, apiVersion: string): string[] {
    this.kinds([name]);
    const { types } = this.current().mapper.resolve(name);
    return [...new Set(types.filter((type) => apiVersionOf(type) === apiVersion).map(resourceTypeName))];
  }

  /** FilterError when one of `apiVersions` is that of no known type. */
  checkApiVersions(apiVersions: readonly string[]): void {
    const known = this.current().apiVersions;
    const unknown = [...new Set(apiVersions)].filter((apiVersion) => !known.has(apiVersion));
    if (unknown.length > 0)
      throw unknownNames("apiVersions", "no resource type is served at", unknown, () => known);
  }

  /** FilterError when one of `clusterIds` is the id of no cluster the graph holds. */
  checkClusterIds(clusterIds: readonly string[]): void {
    const known = new Set(this.clusterIds());
    const unknown = [...new Set(clusterIds)].filter((id) => !known.has(id));
    if (unknown.length === 0) return;
    const what = unknown.length === 1 ? "no cluster has the id" : "no cluster has the ids";
    const error = unknownNames("clusterIds", what, unknown, () => known);
    // Cluster ids are uids, rarely mistyped but often copied from elsewhere: say which there are.
    throw known.size === 0 || error.message.includes("did you mean")
      ? error
      : new FilterError(`${error.message}; the clusters are ${listExcerpt([...known], { quote: true })}`);
  }

  private current(): Vocabulary {
    const source = this.types();
    if (this.vocabulary !== undefined && sameItems(this.vocabulary.source, source)) return this.vocabulary;
    // Every cluster lists its own copy of the same types: one of each is enough to map names.
    const distinct = new Map<string, ResourceType>();
    for (const type of source) distinct.set(`${resourceTypeName(type)}|${type.kind}`, type);
    const types = [...distinct.values()];
    this.vocabulary = {
      source,
      mapper: new ResourceMapper(types),
      apiVersions: new Set(types.map((type) => apiVersionOf(type))),
    };
    return this.vocabulary;
  }
}
