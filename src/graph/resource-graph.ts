import { groupOf, labelEqualities, quoteExcerpt, resourceTypeName } from "@meshsync/k8s";
import type { ClusterRef, KubeObject, ResourceEventSink, ResourceType } from "../kube/index.js";
import { BodyPacker, type Packable } from "./body-packer.js";
import type { CandidateScan } from "./candidate-scan.js";
import { ChangeLog } from "./change-log.js";
import { type CompactOptions, compactObject, InvalidObjectError } from "./compact.js";
import {
  compileFilter,
  FilterError,
  type ResolvedFilter,
  type ResourcePredicate,
  resolveFilter,
} from "./filter.js";
import { KnownNames } from "./filter-names.js";
import { IndexMap } from "./index-map.js";
import { Interner } from "./interning.js";
import { ListOrder, type ListOrderSpec } from "./list-order.js";
import { encodeCursor, PageScan, type PageWindow } from "./page-scan.js";
import {
  builtinRelationRules,
  builtinScope,
  type Edge,
  type Neighbourhood,
  type NeighbourhoodOptions,
  neighbourhood,
  type RelationDelta,
  type RelationDirection,
  RelationIndex,
  type RelationLookup,
  RuleSet,
  relationDelta,
} from "./relations/index.js";
import { CountCells, type CountGrouping, CountScan, type ResourceCount } from "./resource-counts.js";
import type { FilterView, ResourceFilter, StoredResource } from "./types.js";

export interface ResourceGraphOptions {
  /** The most changes the change log retains whatever their bytes: a safety bound (5,000,000 by default). */
  retainedChanges?: number;
  /** Bytes of heap the change log's retained window may keep alive (64 MiB by default): what sets its length. */
  retainedChangeBytes?: number;
  /** The clock the change log stamps changes with, in epoch milliseconds; Date.now unless given. */
  now?: () => number;
  /** Keep Secret values as the API server sent them. */
  revealSecrets?: boolean;
  /** Told about every object the graph refuses (no uid, no name, no metadata). */
  onRejected?: (error: InvalidObjectError, cluster: ClusterRef, type: ResourceType) => void;
  /**
   * The resource types the clusters serve now (the engine's watched types), by which filters name
   * kinds and apiVersions; read at every filter, so CRDs count as they come and go. Absent, the types
   * the graph has been fed objects of.
   */
  resourceTypes?: (() => readonly ResourceType[]) | undefined;
  /**
   * Relation rules besides the built-in ones (rule-schema.ts), e.g. from the config file. Throws
   * RelationRuleError for one that is malformed.
   */
  relationRules?: readonly unknown[] | undefined;
  /** How long after it was stored an object's text is packed (body-packer.ts); 10 s by default. */
  packBodiesAfterMs?: number;
  /**
   * Whether the built-in relation rules apply (default true). False leaves only `relationRules`: with
   * none, a graph that keeps no relations, the baseline the relations benchmark measures them against.
   */
  builtinRelations?: boolean | undefined;
}

export interface Page {
  first?: number | null;
  after?: string | null;
  /** Read backward: the `last` objects before `before`. Neither mixes with first or after. */
  last?: number | null;
  before?: string | null;
  /** The stable order (cluster, namespace, kind, name, uid) when absent. */
  orderBy?: ListOrderSpec | null;
}

export interface ResourcePage {
  items: StoredResource[];
  /** An item's cursor in the page's order, made when asked. */
  cursorOf: (item: StoredResource) => string;
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** The change-log sequence the page was read at. */
  sequence: number;
}

/**
 * What a filter sees of a replaced version. The ring keeps it for every MODIFIED, so a map or list that
 * did not change is the new version's own (held anyway), not a second copy kept alive.
 */
function filterViewOf(r: StoredResource, next: StoredResource): FilterView {
  const { clusterId, uid, apiVersion, kind, namespace, name, fields } = r;
  return {
    clusterId,
    uid,
    apiVersion,
    kind,
    namespace,
    name,
    labels: sameMap(r.labels, next.labels) ? next.labels : r.labels,
    annotations: sameMap(r.annotations, next.annotations) ? next.annotations : r.annotations,
    ownerReferences: sameOwners(r, next) ? next.ownerReferences : r.ownerReferences,
    fields,
  };
}

function sameMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  let size = 0;
  for (const key in a) {
    size++;
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
  }
  for (const _key in b) size--;
  return size === 0;
}

function sameOwners(a: StoredResource, b: StoredResource): boolean {
  const x = a.ownerReferences;
  const y = b.ownerReferences;
  return x === y || (x.length === y.length && x.every((owner, i) => owner.uid === y[i]!.uid));
}

/** What a list reads: every object of some index slices (disjoint: one kind, namespace or cluster each), or of the graph. */
interface Candidates {
  readonly size: number;
  readonly items: () => IterableIterator<StoredResource>;
}

function* chain(sets: readonly ReadonlySet<StoredResource>[]): Generator<StoredResource> {
  for (const set of sets) yield* set;
}

/** A scan's time on the event loop before it lets others in; a few milliseconds, as the fan-out slices its work. */
const defaultSliceMs = 4;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * When this turn's slice for scans that went on past their first one ends: they share one slice a turn.
 * Each with a slice of its own, the four pages of one query held every turn four times as long.
 */
let continuedScansEnd: number | undefined;

function continuedScanDeadline(sliceMs: number): number {
  if (continuedScansEnd === undefined) {
    continuedScansEnd = performance.now() + sliceMs;
    setImmediate(() => {
      continuedScansEnd = undefined;
    });
  }
  return continuedScansEnd;
}

/**
 * The in-memory picture of every watched cluster: objects keyed by cluster + uid, secondary indexes,
 * and the change log every committed change goes through. It is the ResourceEventSink the reflectors
 * feed, and the only writer of the change log, so the log and the store never disagree.
 */
export class ResourceGraph implements ResourceEventSink {
  readonly log: ChangeLog;
  private readonly packer: BodyPacker;
  private readonly compactOptions: CompactOptions;
  private readonly onRejected: ResourceGraphOptions["onRejected"];
  private readonly objects = new Map<string, StoredResource>();
  private readonly byType = new IndexMap<StoredResource>(); // `${clusterId}|${typeName}`
  private readonly byKind = new IndexMap<StoredResource>();
  private readonly byNamespace = new IndexMap<StoredResource>(); // "" for cluster-scoped objects
  private readonly byOwner = new IndexMap<StoredResource>(); // `${clusterId}/${ownerUid}`
  private readonly byCluster = new IndexMap<StoredResource>();
  private readonly byLabel = new IndexMap<StoredResource>(); // `${key}=${value}`
  /**
   * `${clusterId}|${namespace}|${group}|${kind}|${key}=${value}`, for the kinds selector rules select
   * only: what a Service's selector reads, in proportion to what it selects.
   */
  private readonly byNamespaceLabel = new IndexMap<StoredResource>();
  /**
   * `${clusterId}|${typeName}|${namespace}` → name → key: Kubernetes holds one object per name. Keyed
   * by the object's own name string, so an entry costs no string of its own.
   */
  private readonly byName = new Map<string, Map<string, string>>();
  /** Objects counted per cluster, namespace, apiVersion and kind: what counts read without a scan. */
  private readonly cells = new CountCells();
  private readonly clusterRefs = new Map<string, ClusterRef>();
  /** The types the graph has been fed objects of, by type name: the names filters use without an engine. */
  private readonly fedTypes = new Map<string, ResourceType>();
  private readonly seenTypes = new WeakSet<ResourceType>();
  private fedTypeList: readonly ResourceType[] | undefined;
  /** Whether filters name types by what the graph is fed, for want of the engine's list. */
  private readonly learnsTypes: boolean;
  private readonly known: KnownNames;
  private readonly relations: RelationIndex;
  /** `${group}/${kind}` → the type names objects of it have come under (one per served version, usually one). */
  private readonly kindTypes = new Map<string, Set<string>>();
  /** `${plural}.${group}`, a CustomResourceDefinition's name → the type names of what it defines. */
  private readonly definedTypes = new Map<string, Set<string>>();
  private readonly typeNamesSeen = new Set<string>();
  private readonly resourceTypes: () => readonly ResourceType[];
  /** Whether each served kind is namespaced: a kind's scope does not change while it is served. */
  private readonly scopes = new Map<string, boolean>();
  /** When a kind was last looked for among the served types and not found there. */
  private readonly scopeMisses = new Map<string, number>();

  constructor(options: ResourceGraphOptions = {}) {
    this.log = new ChangeLog({
      maxChanges: options.retainedChanges,
      maxRetainedBytes: options.retainedChangeBytes,
      now: options.now,
    });
    this.compactOptions = { revealSecrets: options.revealSecrets ?? false, interner: new Interner() };
    this.packer = new BodyPacker({
      coldAfterMs: options.packBodiesAfterMs,
      isCurrent: (item) => (this.objects.get(item.key) as Packable | undefined) === item,
    });
    this.onRejected = options.onRejected;
    const fed = () => {
      this.fedTypeList ??= [...this.fedTypes.values()];
      return this.fedTypeList;
    };
    this.learnsTypes = options.resourceTypes === undefined;
    this.resourceTypes = options.resourceTypes ?? fed;
    this.known = new KnownNames(this.resourceTypes, () => this.clusterRefs.keys());
    const builtin = options.builtinRelations === false ? [] : builtinRelationRules;
    const rules = new RuleSet([...builtin, ...(options.relationRules ?? [])]);
    this.relations = new RelationIndex(rules, this.relationLookup());
  }

  /** Every relation type the rules can give. */
  get relationTypes(): ReadonlySet<string> {
    return this.relations.rules.types;
  }

  /** How many references (what objects' fields name or select) the relation index holds. */
  get relationReferences(): number {
    return this.relations.references;
  }

  /** The edges an object has now, in one direction or both, of some relation types or all. */
  edges(
    resource: StoredResource,
    direction: RelationDirection = "BOTH",
    types?: ReadonlySet<string>,
    limit?: number,
  ): Edge[] {
    return this.relations.edges(resource, direction, types, limit);
  }

  /** The objects within some hops of one, and the edges between them. */
  neighbourhood(start: StoredResource, options: NeighbourhoodOptions): Neighbourhood {
    return neighbourhood(
      start,
      (r, direction, types, limit) => this.relations.edges(r, direction, types, limit),
      options,
    );
  }

  /** One object by cluster, group, kind, namespace (null when cluster-scoped) and name. */
  named(
    clusterId: string,
    group: string,
    kind: string,
    namespace: string | null,
    name: string,
  ): StoredResource | undefined {
    return this.namedAs(clusterId, this.kindTypes.get(`${group}/${kind}`) ?? [], namespace, name);
  }

  private relationLookup(): RelationLookup {
    return {
      get: (key) => this.objects.get(key),
      named: (clusterId, group, kind, namespace, name) => this.named(clusterId, group, kind, namespace, name),
      ownedBy: (key) => this.byOwner.get(key),
      withLabel: (label) => this.byLabel.get(label),
      withLabelIn: (clusterId, namespace, group, kind, label) =>
        this.byNamespaceLabel.get(`${clusterId}|${namespace}|${group}|${kind}|${label}`),
      inNamespace: (namespace) => this.byNamespace.get(namespace),
      ofKind: (clusterId, group, kind) => this.ofTypes(clusterId, this.kindTypes.get(`${group}/${kind}`)),
      ofDefinition: (clusterId, name) => this.ofTypes(clusterId, this.definedTypes.get(name)),
      scopeOf: (group, kind) => this.scopeOf(group, kind),
    };
  }

  private *ofTypes(clusterId: string, typeNames: Iterable<string> | undefined): Generator<StoredResource> {
    for (const typeName of typeNames ?? []) yield* this.byType.get(`${clusterId}|${typeName}`);
  }

  /**
   * Whether a kind is namespaced, by the served types (any cluster), else by the built-in table. It is
   * asked for every reference an object's fields make, so the served types are read again only for a
   * kind not seen among them (at most once a second for the same kind: rbac subjects name Users).
   */
  private scopeOf(group: string, kind: string): boolean | undefined {
    const key = `${group}/${kind}`;
    const known = this.scopes.get(key);
    if (known !== undefined) return known;
    const now = performance.now();
    const missed = this.scopeMisses.get(key);
    if (missed === undefined || now - missed > 1000) {
      for (const type of this.resourceTypes()) this.scopes.set(`${type.group}/${type.kind}`, type.namespaced);
      const found = this.scopes.get(key);
      if (found !== undefined) return found;
      if (this.scopeMisses.size > 10_000) this.scopeMisses.clear();
      this.scopeMisses.set(key, now);
    }
    return builtinScope(group, kind);
  }

  get size(): number {
    return this.objects.size;
  }

  /**
   * Resolves once no stored text waits to be packed (body-packer.ts): what the graph's memory settles
   * to after a sync. The memory benchmark reads its figures at both moments.
   */
  settledBodies(): Promise<void> {
    return this.packer.settled();
  }

  /** Objects whose text is packed, and text waiting to be. */
  get packing(): { packed: number; pending: number } {
    return { packed: this.packer.packed, pending: this.packer.pending };
  }

  /** Every stored object, in no order: what a full dump (a snapshot, Meshery's informer-store) reads. */
  all(): IterableIterator<StoredResource> {
    return this.objects.values();
  }

  get(key: string): StoredResource | undefined {
    return this.objects.get(key);
  }

  /** Objects whose ownerReferences name this one. */
  ownedBy(key: string): StoredResource[] {
    return [...this.byOwner.get(key)];
  }

  clusters(): ClusterRef[] {
    return [...this.clusterRefs.values()];
  }

  addCluster(ref: ClusterRef): void {
    this.clusterRefs.set(ref.id, ref);
  }

  /** Forgets a cluster and tells subscribers that each of its objects is gone (DELETED, last known state). */
  removeCluster(cluster: ClusterRef): void {
    for (const r of [...this.byCluster.get(cluster.id)]) this.remove(r, r);
    this.clusterRefs.delete(cluster.id);
  }

  /** How many objects each type holds for a cluster, e.g. for sync status. */
  countOfType(clusterId: string, type: ResourceType): number {
    return this.byType.get(`${clusterId}|${resourceTypeName(type)}`).size;
  }

  upsert(cluster: ClusterRef, type: ResourceType, object: KubeObject): void {
    this.addClusterIfNew(cluster);
    this.learnType(type);
    // A relist hands back mostly what is held already: known by uid and resourceVersion, it is not
    // compacted again only for put to find it a replay.
    if (this.heldVersion(cluster, object) !== undefined) return;
    const next = this.compact(cluster, type, object);
    if (next !== undefined) this.put(next, object);
  }

  delete(cluster: ClusterRef, type: ResourceType, object: KubeObject): void {
    this.learnType(type);
    const last = this.compact(cluster, type, object);
    if (last === undefined) return;
    const stored = this.objects.get(last.key);
    if (stored === undefined) return;
    // A DELETED watch event carries the final object, resourceVersion included; a delete inferred
    // without one (an object seen recreated under its name) knows only the key, so the state we hold
    // is the last known one, and what filtered subscribers need to recognise it.
    this.remove(stored, last.resourceVersion === "" ? stored : last);
  }

  /**
   * A deletion as a replica following a stream must take it: committed even when this graph never held
   * the object. A snapshot read under churn can miss an object whose last message was replaced by its
   * deletion meanwhile; the stream's change must still get its sequence here, and a client that saw
   * the object on another replica must still learn it is gone. Held, it is an ordinary delete.
   */
  deleteAsReplicated(cluster: ClusterRef, type: ResourceType, object: KubeObject): void {
    this.learnType(type);
    const last = this.compact(cluster, type, object);
    if (last === undefined) return;
    const stored = this.objects.get(last.key);
    if (stored !== undefined) this.remove(stored, last.resourceVersion === "" ? stored : last);
    else this.log.append("DELETED", last);
  }

  /** The end of a (re)list: the type's objects in this cluster that the list did not hold are gone. */
  retain(cluster: ClusterRef, type: ResourceType, uids: ReadonlySet<string>): void {
    this.addClusterIfNew(cluster);
    this.learnType(type);
    for (const stored of [...this.byType.get(`${cluster.id}|${resourceTypeName(type)}`)])
      if (!uids.has(stored.uid)) this.remove(stored, stored);
  }

  /** A whole list at once, as a reflector streams one: each object upserted, then the rest dropped. */
  replace(cluster: ClusterRef, type: ResourceType, objects: KubeObject[]): void {
    const uids = new Set<string>();
    for (const object of objects) {
      this.upsert(cluster, type, object);
      const uid = object.metadata?.uid;
      if (typeof uid === "string") uids.add(uid);
    }
    this.retain(cluster, type, uids);
  }

  /** The key of the version held when it is this very version of the object (same uid, same resourceVersion). */
  private heldVersion(cluster: ClusterRef, object: KubeObject): string | undefined {
    const meta = object.metadata;
    const uid = meta?.uid;
    const resourceVersion = meta?.resourceVersion;
    if (
      typeof uid !== "string" ||
      uid === "" ||
      typeof resourceVersion !== "string" ||
      resourceVersion === ""
    )
      return undefined;
    const key = `${cluster.id}/${uid}`;
    return this.objects.get(key)?.resourceVersion === resourceVersion ? key : undefined;
  }

  /** One page of the objects that match, in a stable order (cluster, namespace, kind, name, uid) or orderBy's. */
  list(filter: ResourceFilter = {}, page: Page = {}): ResourcePage {
    const sequence = this.log.sequence;
    const scan = this.scan(filter, page);
    scan.advance();
    return { ...scan.page(), sequence };
  }

  /** The object of one type and name, through the name index: no scan. */
  find(identity: ResourceIdentity): StoredResource | undefined {
    const { clusterId, apiVersion, kind, namespace, name } = identity;
    this.known.checkClusterIds([clusterId]);
    this.known.checkApiVersions([apiVersion]);
    const typeNames = this.known.typeNamesAt(kind, apiVersion);
    if (typeNames.length === 0)
      throw new FilterError(
        `kind: ${quoteExcerpt(kind)} is not served at apiVersion ${quoteExcerpt(apiVersion)}`,
      );
    return this.namedAs(
      clusterId,
      typeNames,
      namespace ?? null,
      name,
      (stored) => stored.apiVersion === apiVersion,
    );
  }

  /** The first object of these type names, in this namespace, of this name, that `accepts` takes: no scan. */
  private namedAs(
    clusterId: string,
    typeNames: Iterable<string>,
    namespace: string | null,
    name: string,
    accepts: (stored: StoredResource) => boolean = () => true,
  ): StoredResource | undefined {
    for (const typeName of typeNames) {
      const key = this.byName.get(`${clusterId}|${typeName}|${namespace ?? ""}`)?.get(name);
      const stored = key === undefined ? undefined : this.objects.get(key);
      if (stored !== undefined && accepts(stored)) return stored;
    }
    return undefined;
  }

  /**
   * How many objects match, per group, largest first. A filter that narrows only by clusters,
   * namespaces, apiVersions and kinds is answered from counts the graph keeps, reading no object;
   * any other filter scans its candidates in slices, as listInSlices does.
   */
  async countInSlices(
    filter: ResourceFilter,
    by: CountGrouping,
    sliceMs = defaultSliceMs,
  ): Promise<ResourceCount[]> {
    const resolved = resolveFilter(filter, this.known);
    const matches = compileFilter(resolved);
    if (readsOnlyCells(filter)) return this.cells.counts(matches, by);
    const scan = new CountScan(this.candidates(resolved).items(), matches, by);
    await this.inSlices(scan, sliceMs);
    return scan.counts();
  }

  /**
   * The page `list` gives, read in slices of about `sliceMs` with a turn of the event loop between them,
   * so that a scan of a huge graph holds no other client up. It is still the graph as it was at the
   * page's sequence: when the first slice does not finish, the candidates it has yet to read are copied
   * in that same turn, and stored objects are never changed in place, only replaced.
   */
  async listInSlices(
    filter: ResourceFilter = {},
    page: Page = {},
    sliceMs = defaultSliceMs,
  ): Promise<ResourcePage> {
    const sequence = this.log.sequence;
    const scan = this.scan(filter, page);
    await this.inSlices(scan, sliceMs);
    return { ...scan.page(), sequence };
  }

  /** A scan that fits in its first slice never waits; the rest of a longer one shares later turns' slices. */
  private async inSlices(scan: CandidateScan, sliceMs: number): Promise<void> {
    if (scan.advance(performance.now() + sliceMs)) return;
    scan.detach();
    do await nextTurn();
    while (!scan.advance(continuedScanDeadline(sliceMs)));
  }

  /**
   * How many objects a list with this filter evaluates it against: the size of the smallest index slice
   * that can hold every match (all objects when none narrows), known without reading any of them. A
   * request's cost counts its scans by it. Throws FilterError for a filter resolveFilter refuses.
   */
  scanSize(filter: ResourceFilter = {}): number {
    return this.candidates(resolveFilter(filter, this.known)).size;
  }

  /**
   * The predicate a subscription matches changes with, its names resolved now: a type that appears
   * later is not added to it. Throws FilterError for a filter resolveFilter refuses.
   */
  matcher(filter: ResourceFilter = {}): ResourcePredicate {
    return compileFilter(resolveFilter(filter, this.known));
  }

  cursorOf(resource: StoredResource): string {
    return encodeCursor(resource);
  }

  private scan(filter: ResourceFilter, page: Page): PageScan {
    const resolved = resolveFilter(filter, this.known);
    const matches = compileFilter(resolved);
    return new PageScan(this.candidates(resolved).items(), matches, windowOf(page));
  }

  /** The smallest index slice that can hold every match, so a narrow filter does not scan everything. */
  private candidates(resolved: ResolvedFilter): Candidates {
    const { filter } = resolved;
    let smallest: Candidates = {
      size: this.objects.size,
      items: () => this.objects.values(),
    };
    const consider = (sets: ReadonlySet<StoredResource>[]) => {
      const size = sets.reduce((total, set) => total + set.size, 0);
      if (size < smallest.size)
        smallest = { size, items: () => (sets.length === 1 ? sets[0]!.values() : chain(sets)) };
    };
    const union = (index: IndexMap<StoredResource>, values: readonly string[] | null | undefined) => {
      if (values && values.length > 0) consider([...new Set(values)].map((value) => index.get(value)));
    };
    if (resolved.kinds) union(this.byKind, [...resolved.kinds.byKind.keys()]);
    union(this.byNamespace, filter.namespaces);
    union(this.byCluster, filter.clusterIds);
    const { labels } = resolved;
    if (labels)
      for (const [key, value] of labelEqualities(labels)) consider([this.byLabel.get(`${key}=${value}`)]);
    // Uids and owners name objects of any cluster: each named one in each cluster the filter allows.
    const clusterIds = new Set(
      filter.clusterIds && filter.clusterIds.length > 0 ? filter.clusterIds : this.clusterRefs.keys(),
    );
    const { uids, ownerUids } = filter;
    if (uids && uids.length > 0) {
      const named = new Set<StoredResource>();
      for (const clusterId of clusterIds)
        for (const uid of uids) {
          const r = this.objects.get(`${clusterId}/${uid}`);
          if (r !== undefined) named.add(r);
        }
      consider([named]);
    }
    if (ownerUids && ownerUids.length > 0) {
      // An object with two of the owners named sits in both their slices: a set counts it once.
      const owned = new Set<StoredResource>();
      for (const clusterId of clusterIds)
        for (const uid of new Set(ownerUids))
          for (const r of this.byOwner.get(`${clusterId}/${uid}`)) owned.add(r);
      consider([owned]);
    }
    return smallest;
  }

  private compact(
    cluster: ClusterRef,
    type: ResourceType,
    object: KubeObject,
  ): (StoredResource & Packable) | undefined {
    try {
      return compactObject(cluster, type, object, this.compactOptions);
    } catch (error) {
      if (!(error instanceof InvalidObjectError)) throw error;
      this.onRejected?.(error, cluster, type);
      return undefined;
    }
  }

  private learnType(type: ResourceType): void {
    // A reflector hands every event the same type object: after the first, this is one lookup.
    if (!this.learnsTypes || this.seenTypes.has(type)) return;
    this.seenTypes.add(type);
    this.fedTypes.set(resourceTypeName(type), type);
    this.fedTypeList = undefined;
  }

  private addClusterIfNew(cluster: ClusterRef): void {
    if (!this.clusterRefs.has(cluster.id)) this.clusterRefs.set(cluster.id, cluster);
  }

  private put(next: StoredResource & Packable, object: KubeObject): void {
    this.addClusterIfNew({ id: next.clusterId, name: next.clusterId });
    const prev = this.objects.get(next.key);
    // An update that carries the resourceVersion we already hold is a replay, not a change.
    if (prev !== undefined && prev.resourceVersion === next.resourceVersion && next.resourceVersion !== "")
      return;
    // A new uid under a name we hold means the old object was deleted while nobody was told (no
    // DELETED reached us): it goes first, so no ghost remains beside its successor.
    const holder = this.byName.get(nameScopeOf(next))?.get(next.name);
    const ghost = holder !== undefined && holder !== next.key ? this.objects.get(holder) : undefined;
    if (ghost !== undefined) this.remove(ghost, ghost);
    // Edges are compared before and after only when something they depend on changed: a status
    // update, most of any cluster's churn, costs the relations nothing.
    const references = this.relations.referencesOf(next, object);
    const related = prev === undefined || this.relations.mayChange(prev, next, references);
    const before = prev !== undefined && related ? this.relations.affectedEdges(prev) : undefined;
    if (prev !== undefined) this.unindex(prev);
    this.objects.set(next.key, next);
    this.index(next);
    this.packer.add(next);
    let relations: RelationDelta | undefined;
    if (related) {
      this.relations.register(next, references);
      relations = relationDelta(before ?? new Map(), this.relations.affectedEdges(next));
    }
    if (prev === undefined) this.log.append("ADDED", next, undefined, undefined, relations);
    else this.log.append("MODIFIED", next, filterViewOf(prev, next), prev, relations);
  }

  private remove(stored: StoredResource, lastKnown: StoredResource): void {
    // Every edge the object had leaves with it (and, for a Namespace, those its labels gave).
    const relations = relationDelta(this.relations.affectedEdges(stored), new Map());
    this.unindex(stored);
    this.objects.delete(stored.key);
    this.relations.unregister(stored.key);
    this.log.append("DELETED", lastKnown, undefined, stored, relations);
  }

  private index(r: StoredResource): void {
    if (!this.typeNamesSeen.has(r.typeName)) this.learnTypeName(r);
    this.byType.add(`${r.clusterId}|${r.typeName}`, r);
    this.byKind.add(r.kind, r);
    this.byNamespace.add(r.namespace ?? "", r);
    for (const owner of r.ownerReferences) this.byOwner.add(`${r.clusterId}/${owner.uid}`, r);
    this.byCluster.add(r.clusterId, r);
    this.cells.add(r);
    for (const label in r.labels) this.byLabel.add(`${label}=${r.labels[label]}`, r);
    const selected = this.selectedSlice(r);
    if (selected !== undefined)
      for (const label in r.labels) this.byNamespaceLabel.add(`${selected}${label}=${r.labels[label]}`, r);
    const scope = nameScopeOf(r);
    let names = this.byName.get(scope);
    if (names === undefined) {
      names = new Map();
      this.byName.set(scope, names);
    }
    names.set(r.name, r.key);
  }

  /** The prefix of a selectable object's byNamespaceLabel keys; undefined for one no selector rule selects. */
  private selectedSlice(r: StoredResource): string | undefined {
    if (r.namespace === null || this.relations.rules.selectedKinds.size === 0) return undefined;
    const group = groupOf(r.apiVersion);
    if (!this.relations.rules.selectedKinds.has(`${group}/${r.kind}`)) return undefined;
    return `${r.clusterId}|${r.namespace}|${group}|${r.kind}|`;
  }

  /** Files a type name under its kind and its definition's name, the first time an object of it comes. */
  private learnTypeName(r: StoredResource): void {
    this.typeNamesSeen.add(r.typeName);
    const group = groupOf(r.apiVersion);
    addTo(this.kindTypes, `${group}/${r.kind}`, r.typeName);
    addTo(this.definedTypes, `${r.typeName.slice(0, r.typeName.indexOf("."))}.${group}`, r.typeName);
  }

  private unindex(r: StoredResource): void {
    this.byType.remove(`${r.clusterId}|${r.typeName}`, r);
    this.byKind.remove(r.kind, r);
    this.byNamespace.remove(r.namespace ?? "", r);
    for (const owner of r.ownerReferences) this.byOwner.remove(`${r.clusterId}/${owner.uid}`, r);
    this.byCluster.remove(r.clusterId, r);
    this.cells.remove(r);
    for (const label in r.labels) this.byLabel.remove(`${label}=${r.labels[label]}`, r);
    const selected = this.selectedSlice(r);
    if (selected !== undefined)
      for (const label in r.labels) this.byNamespaceLabel.remove(`${selected}${label}=${r.labels[label]}`, r);
    const scope = nameScopeOf(r);
    const names = this.byName.get(scope);
    if (names?.get(r.name) !== r.key) return;
    names.delete(r.name);
    if (names.size === 0) this.byName.delete(scope);
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

/** One object's identity as kubectl names it: cluster, apiVersion, kind (any name kubectl takes), namespace, name. */
export interface ResourceIdentity {
  clusterId: string;
  apiVersion: string;
  kind: string;
  namespace?: string | null;
  name: string;
}

/** A filter the count cells answer: one that narrows by nothing but their four fields. */
function readsOnlyCells(filter: ResourceFilter): boolean {
  const cellFields = new Set(["clusterIds", "namespaces", "apiVersions", "kinds"]);
  return Object.entries(filter).every(
    ([field, value]) =>
      cellFields.has(field) ||
      value === undefined ||
      value === null ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === "string" && value.trim() === ""),
  );
}

function windowOf(page: Page): PageWindow {
  const order = ListOrder.of(page.orderBy);
  const given = (value: unknown) => value !== null && value !== undefined;
  const forward = given(page.first) || given(page.after);
  const backward = given(page.last) || given(page.before);
  if (forward && backward)
    throw new RangeError("first and after page forward, last and before backward: give one pair, not both");
  const size = (backward ? page.last : page.first) ?? Number.POSITIVE_INFINITY;
  const cursor = (backward ? page.before : page.after) || undefined;
  return { order, direction: backward ? "backward" : "forward", size, cursor };
}

function nameScopeOf(r: StoredResource): string {
  return `${r.clusterId}|${r.typeName}|${r.namespace ?? ""}`;
}
