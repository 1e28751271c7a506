import { groupOf, type KubeObject, type Labels } from "@meshsync/k8s";
import type { StoredResource } from "../types.js";
import { isBuiltinGroup } from "./cluster-scoped.js";
import {
  type NameReference,
  ownerRuleApplies,
  type Reference,
  type RuleSet,
  type ScopeOf,
  type SelectorReference,
  type UidReference,
} from "./rule-set.js";

export type RelationDirection = "OUT" | "IN" | "BOTH";

/** A relation between two objects the graph holds, `from` -> `to` as the rule that gives it reads. */
export interface Edge {
  readonly type: string;
  readonly from: StoredResource;
  readonly to: StoredResource;
}

/** An edge as a change records it: by its ends' keys, so a retained change keeps no object alive. */
export interface EdgeChange {
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

/** The edges one committed change made appear and disappear. */
export interface RelationDelta {
  readonly added: readonly EdgeChange[];
  readonly removed: readonly EdgeChange[];
}

/** What the index reads of the graph: its objects and its secondary indexes, never a copy of them. */
export interface RelationLookup {
  get(key: string): StoredResource | undefined;
  named(
    clusterId: string,
    group: string,
    kind: string,
    namespace: string | null,
    name: string,
  ): StoredResource | undefined;
  ownedBy(key: string): ReadonlySet<StoredResource>;
  withLabel(label: string): ReadonlySet<StoredResource>;
  /**
   * The objects of one kind in one namespace with this `key=value` label, for the kinds a selector
   * rule selects (RuleSet.selectedKinds): what a namespaced selector reads, however many other
   * namespaces hold objects with the same label.
   */
  withLabelIn(
    clusterId: string,
    namespace: string,
    group: string,
    kind: string,
    label: string,
  ): ReadonlySet<StoredResource>;
  inNamespace(namespace: string): ReadonlySet<StoredResource>;
  ofKind(clusterId: string, group: string, kind: string): Iterable<StoredResource>;
  /** The objects of every type a CustomResourceDefinition of this name defines. */
  ofDefinition(clusterId: string, definitionName: string): Iterable<StoredResource>;
  readonly scopeOf: ScopeOf;
}

/** A set of references that all point at one identity, the key being that identity. */
class Bucket<W> {
  readonly wants = new Set<W>();
  constructor(readonly key: string) {}
}

interface NameWant {
  readonly ref: NameReference;
  readonly source: string;
  readonly bucket: Bucket<NameWant>;
}

interface UidWant {
  readonly ref: UidReference;
  readonly source: string;
  readonly bucket: Bucket<UidWant>;
}

interface SelectorWant {
  readonly ref: SelectorReference;
  readonly source: string;
  readonly clusterId: string;
  readonly bucket: Bucket<SelectorWant>;
}

type Want = NameWant | UidWant | SelectorWant;

/** Thrown by a limited edge search once it has found enough: it leaves every loop at once. */
const enough = Symbol("enough edges");

const definitionGroup = "apiextensions.k8s.io";
const definitionKind = "CustomResourceDefinition";

const nameKey = (clusterId: string, group: string, kind: string, namespace: string | null, name: string) =>
  `${clusterId}|${group}|${kind}|${namespace ?? ""}|${name}`;

/** A selector is filed under one of its `key=value` requirements, or under `*` when it has none. */
const selectorKey = (
  clusterId: string,
  namespace: string | null,
  group: string,
  kind: string,
  label: string,
) => `${clusterId}|${namespace ?? "*"}|${group}|${kind}|${label}`;

function firstEquality(ref: SelectorReference): string {
  for (const r of ref.selector.requirements)
    if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1)
      return `${r.key}=${r.values[0]}`;
  return "*";
}

export function referenceKey(ref: Reference): string {
  switch (ref.form) {
    case "name":
      return `${ref.type}|n|${ref.group}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
    case "uid":
      return `${ref.type}|u|${ref.uid}`;
    case "selector":
      return `${ref.type}|s|${ref.group}|${ref.kind}|${ref.namespace ?? "*"}|${ref.signature}`;
  }
}

const edgeKey = (edge: Edge) => `${edge.type}\u0000${edge.from.key}\u0000${edge.to.key}`;

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    count++;
  }
  return Object.keys(b).length === count;
}

function sameOwners(a: StoredResource, b: StoredResource): boolean {
  const x = a.ownerReferences;
  const y = b.ownerReferences;
  if (x === y) return true;
  if (x.length !== y.length) return false;
  return x.every(
    (o, i) =>
      o.uid === y[i]!.uid && o.kind === y[i]!.kind && (o.controller ?? false) === (y[i]!.controller ?? false),
  );
}

const groupOfResource = (r: StoredResource) => groupOf(r.apiVersion);

/**
 * The relations between the graph's objects, kept as it changes. It holds no edge: each object's
 * references (what its fields name or select) are filed under the identity they point at, so an edge
 * exists while both ends do, in whichever order they came, and is found from either end by lookups:
 * out-edges by resolving the object's references, in-edges by the buckets filed under its identity
 * (its name, its uid, its labels). Reading or changing one object costs work in proportion to its
 * edges. ownerReferences and custom resources need no references of their own: the graph's owner
 * and type indexes answer them.
 */
export class RelationIndex {
  private readonly wants = new Map<string, Want[]>();
  private readonly names = new Map<string, Bucket<NameWant>>();
  private readonly uids = new Map<string, Bucket<UidWant>>();
  private readonly selectors = new Map<string, Bucket<SelectorWant>>();
  /** Selectors of objects in namespaces chosen by labels: a Namespace's relabel moves their edges. */
  private readonly namespaceSelectors = new Set<SelectorWant>();
  private referenceCount = 0;

  constructor(
    readonly rules: RuleSet,
    private readonly lookup: RelationLookup,
  ) {}

  /** How many references the index holds: what its memory grows with. */
  get references(): number {
    return this.referenceCount;
  }

  /** What an object's fields point at, read from the object as the API server sent it. */
  referencesOf(r: StoredResource, object: KubeObject): Reference[] {
    const group = groupOfResource(r);
    if (!this.rules.reads(group, r.kind)) return [];
    return this.rules.referencesOf(group, r.kind, r.namespace, object, this.lookup.scopeOf);
  }

  /**
   * Whether replacing `prev` by `next` (with `next`'s references) may change any edge: false for the
   * usual status update, which then costs nothing here.
   */
  mayChange(prev: StoredResource, next: StoredResource, refs: readonly Reference[]): boolean {
    if (!sameLabels(prev.labels, next.labels) || !sameOwners(prev, next)) return true;
    const held = this.wants.get(prev.key) ?? [];
    if (held.length !== refs.length) return true;
    const keys = new Set(held.map((want) => referenceKey(want.ref)));
    return !refs.every((ref) => keys.has(referenceKey(ref)));
  }

  /** Files `r`'s references, replacing those of the version before it. */
  register(r: StoredResource, refs: readonly Reference[]): void {
    this.unregister(r.key);
    if (refs.length === 0) return;
    const wants: Want[] = [];
    for (const ref of refs) wants.push(this.file(r, ref));
    this.wants.set(r.key, wants);
    this.referenceCount += wants.length;
  }

  unregister(key: string): void {
    const wants = this.wants.get(key);
    if (wants === undefined) return;
    for (const want of wants) {
      const { bucket } = want;
      (bucket.wants as Set<Want>).delete(want);
      if (bucket.wants.size === 0) this.bucketsOf(want).delete(bucket.key);
      if (want.ref.form === "selector") this.namespaceSelectors.delete(want as SelectorWant);
    }
    this.wants.delete(key);
    this.referenceCount -= wants.length;
  }

  private bucketsOf(want: Want): Map<string, Bucket<Want>> {
    const form = want.ref.form;
    return (form === "name" ? this.names : form === "uid" ? this.uids : this.selectors) as Map<
      string,
      Bucket<Want>
    >;
  }

  private file(r: StoredResource, ref: Reference): Want {
    const source = r.key;
    if (ref.form === "name") {
      const bucket = bucketIn(this.names, nameKey(r.clusterId, ref.group, ref.kind, ref.namespace, ref.name));
      const want: NameWant = { ref, source, bucket };
      bucket.wants.add(want);
      return want;
    }
    if (ref.form === "uid") {
      const bucket = bucketIn(this.uids, `${r.clusterId}/${ref.uid}`);
      const want: UidWant = { ref, source, bucket };
      bucket.wants.add(want);
      return want;
    }
    const key = selectorKey(r.clusterId, ref.namespace, ref.group, ref.kind, firstEquality(ref));
    const bucket = bucketIn(this.selectors, key);
    const want: SelectorWant = { ref, source, clusterId: r.clusterId, bucket };
    bucket.wants.add(want);
    if (ref.namespaces !== undefined) this.namespaceSelectors.add(want);
    return want;
  }

  /** The edges `r` has now, in one direction or both, of some types or all; each edge once. */
  /**
   * The edges `r` has now, in one direction or both, of some types or all; each edge once. With a
   * limit, at most that many, found without reading the rest: a hub (the ConfigMap every pod of a
   * namespace mounts, a Node) has thousands, and a reader that wants a few must not pay for them all.
   */
  edges(
    r: StoredResource,
    direction: RelationDirection = "BOTH",
    types?: ReadonlySet<string>,
    limit = Number.POSITIVE_INFINITY,
  ): Edge[] {
    const out = new Map<string, Edge>();
    const add = (type: string, from: StoredResource | undefined, to: StoredResource | undefined) => {
      if (from === undefined || to === undefined || (types !== undefined && !types.has(type))) return;
      const edge: Edge = { type, from, to };
      out.set(edgeKey(edge), edge);
      if (out.size >= limit) throw enough;
    };
    if (limit <= 0) return [];
    try {
      if (direction !== "IN") this.outEdges(r, add);
      if (direction !== "OUT") this.inEdges(r, add);
    } catch (error) {
      if (error !== enough) throw error;
    }
    return [...out.values()];
  }

  /**
   * What a change to `r` may add or take away: its own edges, and for a Namespace the edges of
   * objects in it that selectors reach through the namespace's labels.
   */
  affectedEdges(r: StoredResource): Map<string, Edge> {
    const out = new Map<string, Edge>();
    for (const edge of this.edges(r)) out.set(edgeKey(edge), edge);
    if (r.kind === "Namespace" && r.namespace === null && groupOfResource(r) === "")
      for (const want of this.namespaceSelectors) {
        if (want.clusterId !== r.clusterId || !want.ref.namespaces!.matches(r.labels)) continue;
        const source = this.lookup.get(want.source);
        if (source === undefined) continue;
        for (const target of this.lookup.inNamespace(r.name))
          if (this.selects(want, target, r.labels)) {
            const edge: Edge = { type: want.ref.type, from: source, to: target };
            out.set(edgeKey(edge), edge);
          }
      }
    return out;
  }

  private outEdges(
    r: StoredResource,
    add: (type: string, from?: StoredResource, to?: StoredResource) => void,
  ) {
    const { lookup } = this;
    if (this.rules.owners.length > 0)
      for (const owned of lookup.ownedBy(r.key))
        for (const reference of owned.ownerReferences)
          if (reference.uid === r.uid)
            for (const rule of this.rules.owners)
              if (ownerRuleApplies(rule, owned, reference)) add(rule.type, r, owned);
    for (const want of this.wants.get(r.key) ?? []) {
      const { ref } = want;
      if (ref.form === "name")
        add(ref.type, r, lookup.named(r.clusterId, ref.group, ref.kind, ref.namespace, ref.name));
      else if (ref.form === "uid") add(ref.type, r, lookup.get(`${r.clusterId}/${ref.uid}`));
      else for (const target of this.selected(want as SelectorWant)) add(ref.type, r, target);
    }
    if (this.rules.definitions.length > 0) {
      const group = groupOfResource(r);
      if (!isBuiltinGroup(group)) {
        const plural = r.typeName.slice(0, r.typeName.indexOf("."));
        const definition = lookup.named(
          r.clusterId,
          definitionGroup,
          definitionKind,
          null,
          `${plural}.${group}`,
        );
        for (const type of this.rules.definitions) add(type, r, definition);
      }
    }
  }

  private inEdges(
    r: StoredResource,
    add: (type: string, from?: StoredResource, to?: StoredResource) => void,
  ) {
    const { lookup } = this;
    if (this.rules.owners.length > 0)
      for (const reference of r.ownerReferences) {
        const owner = lookup.get(`${r.clusterId}/${reference.uid}`);
        if (owner === undefined) continue;
        for (const rule of this.rules.owners)
          if (ownerRuleApplies(rule, r, reference)) add(rule.type, owner, r);
      }
    const group = groupOfResource(r);
    const named = this.names.get(nameKey(r.clusterId, group, r.kind, r.namespace, r.name));
    if (named !== undefined) for (const want of named.wants) add(want.ref.type, lookup.get(want.source), r);
    const byUid = this.uids.get(r.key);
    if (byUid !== undefined) for (const want of byUid.wants) add(want.ref.type, lookup.get(want.source), r);
    if (this.selectors.size > 0 && r.namespace !== null) {
      const namespaceLabels = this.namespaceLabels(r.clusterId, r.namespace);
      const consider = (key: string) => {
        const bucket = this.selectors.get(key);
        if (bucket === undefined) return;
        for (const want of bucket.wants)
          if (this.selects(want, r, namespaceLabels)) add(want.ref.type, lookup.get(want.source), r);
      };
      for (const scope of [r.namespace, null]) {
        consider(selectorKey(r.clusterId, scope, group, r.kind, "*"));
        for (const label in r.labels)
          consider(selectorKey(r.clusterId, scope, group, r.kind, `${label}=${r.labels[label]}`));
      }
    }
    if (this.rules.definitions.length > 0 && r.kind === definitionKind && group === definitionGroup)
      for (const object of lookup.ofDefinition(r.clusterId, r.name))
        for (const type of this.rules.definitions) add(type, object, r);
  }

  private namespaceLabels(clusterId: string, namespace: string): Labels | undefined {
    return this.lookup.named(clusterId, "", "Namespace", null, namespace)?.labels;
  }

  /** Whether a selector reference selects `target`; `namespaceLabels` are those of target's namespace. */
  private selects(want: SelectorWant, target: StoredResource, namespaceLabels: Labels | undefined): boolean {
    const { ref } = want;
    if (target.clusterId !== want.clusterId || target.key === want.source || target.kind !== ref.kind)
      return false;
    if (target.namespace === null || groupOfResource(target) !== ref.group) return false;
    if (
      ref.namespace !== null
        ? target.namespace !== ref.namespace
        : !ref.namespaces!.matches(namespaceLabels ?? {})
    )
      return false;
    return ref.selector.matches(target.labels);
  }

  /** What a selector reference selects now, read from the graph's smallest index slice that holds it all. */
  private *selected(want: SelectorWant): Generator<StoredResource> {
    const { ref } = want;
    let candidates: Iterable<StoredResource> | undefined;
    let size = Number.POSITIVE_INFINITY;
    for (const r of ref.selector.requirements)
      if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1) {
        const label = `${r.key}=${r.values[0]}`;
        // A namespaced selector reads its own namespace's slice: the same label in every other
        // namespace (app=postgres, say) costs it nothing.
        const set =
          ref.namespace !== null
            ? this.lookup.withLabelIn(want.clusterId, ref.namespace, ref.group, ref.kind, label)
            : this.lookup.withLabel(label);
        if (set.size < size) {
          candidates = set;
          size = set.size;
        }
      }
    if (ref.namespace !== null) {
      const set = this.lookup.inNamespace(ref.namespace);
      if (set.size < size) candidates = set;
    }
    candidates ??= this.lookup.ofKind(want.clusterId, ref.group, ref.kind);
    const labelsOf = new Map<string, Labels | undefined>();
    for (const target of candidates) {
      if (target.namespace === null) continue;
      let namespaceLabels: Labels | undefined;
      if (ref.namespace === null) {
        if (!labelsOf.has(target.namespace))
          labelsOf.set(target.namespace, this.namespaceLabels(want.clusterId, target.namespace));
        namespaceLabels = labelsOf.get(target.namespace);
      }
      if (this.selects(want, target, namespaceLabels)) yield target;
    }
  }
}

function bucketIn<W>(map: Map<string, Bucket<W>>, key: string): Bucket<W> {
  let bucket = map.get(key);
  if (bucket === undefined) {
    bucket = new Bucket<W>(key);
    map.set(key, bucket);
  }
  return bucket;
}

const toChange = (edge: Edge): EdgeChange => ({ type: edge.type, from: edge.from.key, to: edge.to.key });

/** The edges in `after` and not `before` (added), and the reverse (removed). */
export function relationDelta(
  before: ReadonlyMap<string, Edge>,
  after: ReadonlyMap<string, Edge>,
): RelationDelta | undefined {
  const added: EdgeChange[] = [];
  const removed: EdgeChange[] = [];
  for (const [key, edge] of after) if (!before.has(key)) added.push(toChange(edge));
  for (const [key, edge] of before) if (!after.has(key)) removed.push(toChange(edge));
  return added.length === 0 && removed.length === 0 ? undefined : { added, removed };
}
