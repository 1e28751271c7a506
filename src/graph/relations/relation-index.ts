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

/**
 * The objects whose references of one type point at one identity (a name, or a uid). One per type and
 * target, not per reference: a reference costs its source's key in `sources` and nothing more, so the
 * pods of a namespace that all mount kube-root-ca.crt share one Target.
 */
class Target {
  /**
   * The sources: one key, a short list, or a set past `listedSources`. Most targets have a few (a pod
   * an EndpointSlice names, the ConfigMap of one Deployment's replicas), and a set costs several times
   * a list's slot per entry.
   */
  private held: string | string[] | Set<string>;

  constructor(
    /** The identity pointed at: every type's Target for it is filed under this key. */
    readonly key: string,
    /** What each source's reference says, the same for all of them; the first one's copy. */
    readonly ref: NameReference | UidReference,
    source: string,
  ) {
    this.held = source;
  }

  get size(): number {
    const held = this.held;
    return typeof held === "string" ? 1 : Array.isArray(held) ? held.length : held.size;
  }

  add(source: string): void {
    const held = this.held;
    if (typeof held === "string") {
      if (held !== source) this.held = [held, source];
    } else if (Array.isArray(held)) {
      if (held.includes(source)) return;
      if (held.length < listedSources) held.push(source);
      else this.held = new Set([...held, source]);
    } else held.add(source);
  }

  /** Takes a source away; false when none is left. */
  delete(source: string): boolean {
    const held = this.held;
    if (typeof held === "string") return held !== source;
    if (Array.isArray(held)) {
      const at = held.indexOf(source);
      if (at >= 0) held.splice(at, 1);
      return held.length > 0;
    }
    held.delete(source);
    return held.size > 0;
  }

  *sources(): Generator<string> {
    const held = this.held;
    if (typeof held === "string") yield held;
    else yield* held;
  }
}

/** Sources a Target keeps in a list before it keeps them in a set. */
const listedSources = 16;

/** One object's selector: selectors are few (Services, policies), so each has its own. */
interface SelectorWant {
  readonly ref: SelectorReference;
  readonly source: string;
  readonly clusterId: string;
  readonly bucket: Bucket;
}

/** The selectors filed under one `key=value` requirement (or `*`) of one scope and kind. */
class Bucket {
  readonly wants = new Set<SelectorWant>();
  constructor(readonly key: string) {}
}

type Filed = Target | SelectorWant;

/** Thrown by a limited edge search once it has found enough: it leaves every loop at once. */
const enough = Symbol("enough edges");

const definitionGroup = "apiextensions.k8s.io";
const definitionKind = "CustomResourceDefinition";

const nameIdentity = (
  clusterId: string,
  group: string,
  kind: string,
  namespace: string | null,
  name: string,
) => `n|${clusterId}|${group}|${kind}|${namespace ?? ""}|${name}`;

/** An object's identity by uid: its graph key, `${clusterId}/${uid}`. */
const uidIdentity = (key: string) => `u|${key}`;

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

/** Whether two references point at the same thing the same way (what an object's change may leave alone). */
function sameReference(a: Reference, b: Reference): boolean {
  if (a.type !== b.type || a.form !== b.form) return false;
  switch (a.form) {
    case "name": {
      const n = b as NameReference;
      return a.name === n.name && a.namespace === n.namespace && a.kind === n.kind && a.group === n.group;
    }
    case "uid":
      return a.uid === (b as UidReference).uid;
    case "selector": {
      const s = b as SelectorReference;
      return (
        a.signature === s.signature && a.namespace === s.namespace && a.kind === s.kind && a.group === s.group
      );
    }
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
  /** Each object's references, by its key: what it filed, so it can take them back. */
  private readonly filed = new Map<string, Filed[]>();
  /** Identity (nameIdentity, uidIdentity) → the Targets of every relation type pointing at it. */
  private readonly targets = new Map<string, Target[]>();
  private readonly selectors = new Map<string, Bucket>();
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
    const held = this.filed.get(prev.key) ?? [];
    if (held.length !== refs.length) return true;
    return !refs.every((ref) => held.some((filed) => sameReference(filed.ref, ref)));
  }

  /** Files `r`'s references, replacing those of the version before it. */
  register(r: StoredResource, refs: readonly Reference[]): void {
    this.unregister(r.key);
    if (refs.length === 0) return;
    const filed: Filed[] = [];
    for (const ref of refs) filed.push(this.file(r, ref));
    this.filed.set(r.key, filed);
    this.referenceCount += filed.length;
  }

  unregister(key: string): void {
    const filed = this.filed.get(key);
    if (filed === undefined) return;
    for (const item of filed) {
      if (item instanceof Target) {
        if (item.delete(key)) continue;
        const all = this.targets.get(item.key) ?? [];
        const rest = all.filter((target) => target !== item);
        if (rest.length > 0) this.targets.set(item.key, rest);
        else this.targets.delete(item.key);
      } else {
        item.bucket.wants.delete(item);
        if (item.bucket.wants.size === 0) this.selectors.delete(item.bucket.key);
        this.namespaceSelectors.delete(item);
      }
    }
    this.filed.delete(key);
    this.referenceCount -= filed.length;
  }

  private file(r: StoredResource, ref: Reference): Filed {
    if (ref.form !== "selector") {
      const identity =
        ref.form === "name"
          ? nameIdentity(r.clusterId, ref.group, ref.kind, ref.namespace, ref.name)
          : uidIdentity(`${r.clusterId}/${ref.uid}`);
      let all = this.targets.get(identity);
      if (all === undefined) {
        all = [];
        this.targets.set(identity, all);
      }
      const target = all.find((t) => t.ref.type === ref.type);
      if (target !== undefined) {
        target.add(r.key);
        return target;
      }
      const created = new Target(identity, ref, r.key);
      all.push(created);
      return created;
    }
    const key = selectorKey(r.clusterId, ref.namespace, ref.group, ref.kind, firstEquality(ref));
    let bucket = this.selectors.get(key);
    if (bucket === undefined) {
      bucket = new Bucket(key);
      this.selectors.set(key, bucket);
    }
    const want: SelectorWant = {
      ref,
      source: r.key,
      clusterId: r.clusterId,
      bucket,
    };
    bucket.wants.add(want);
    if (ref.namespaces !== undefined) this.namespaceSelectors.add(want);
    return want;
  }

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
    for (const filed of this.filed.get(r.key) ?? []) {
      const { ref } = filed;
      if (ref.form === "name")
        add(ref.type, r, lookup.named(r.clusterId, ref.group, ref.kind, ref.namespace, ref.name));
      else if (ref.form === "uid") add(ref.type, r, lookup.get(`${r.clusterId}/${ref.uid}`));
      else for (const target of this.selected(filed as SelectorWant)) add(ref.type, r, target);
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
    for (const identity of [
      nameIdentity(r.clusterId, group, r.kind, r.namespace, r.name),
      uidIdentity(r.key),
    ])
      for (const target of this.targets.get(identity) ?? [])
        for (const source of target.sources()) add(target.ref.type, lookup.get(source), r);
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
