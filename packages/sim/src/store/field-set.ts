// Field sets in the trie form managedFields carry (fieldsV1): "f:<name>" for a struct field or map
// key, "k:{...}" for an element of a list keyed by some of its fields, "v:<json>" for an element of
// a set, and "." for the node itself when it has children. The list keys and atomic fields follow
// the built-in types' schemas for the fields users meet; any other list is atomic, as in a CRD's
// structural schema.
import { isPlainObject, sameJson } from "./object-meta.js";

export type FieldSet = { [element: string]: FieldSet };

// Leaves are by far the most numerous nodes; one frozen instance serves them all, and being frozen
// it can never carry a change from one object to another.
const leaf: FieldSet = Object.freeze(newNode());

/**
 * A node without a prototype: V8 keeps such objects as hash tables from the start, instead of
 * growing a hidden class for every distinct combination of field names (a cluster has hundreds of
 * thousands, list keys holding uids and addresses), which costs far more time and memory.
 */
function newNode(): FieldSet {
  return Object.create(null) as FieldSet;
}

const fieldNames = new Map<string, string>();

/** "f:<name>", made once per name. */
function fieldName(key: string): string {
  let name = fieldNames.get(key);
  if (name === undefined) {
    name = `f:${key}`;
    if (fieldNames.size < 100_000) fieldNames.set(key, name);
  }
  return name;
}

/** Struct fields a typed object always has (Go's zero value), so adding content under them never marks them themselves. */
export type Skeleton = { readonly [field: string]: Skeleton };

const podTemplate: Skeleton = { metadata: {}, spec: { containers: {} } };
export const builtinSkeleton: Skeleton = Object.freeze({
  metadata: {},
  spec: {
    containers: {},
    template: podTemplate,
    strategy: {},
    updateStrategy: {},
    jobTemplate: { spec: { template: podTemplate } },
  },
  status: {},
});
export const customSkeleton: Skeleton = Object.freeze({ metadata: {} });

/** Metadata the server owns; no manager ever holds it. */
const serverOwnedMeta = new Set([
  "name",
  "namespace",
  "creationTimestamp",
  "uid",
  "resourceVersion",
  "generation",
  "selfLink",
  "managedFields",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
]);

/** Maps whose schema makes them one value (label selectors and the like). */
const atomicMaps = new Set([
  "selector",
  "nodeSelector",
  "podSelector",
  "namespaceSelector",
  "labelSelector",
  "roleRef",
]);

/** Key fields of the associative lists, by field name. */
const listKeys: Record<string, readonly string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  volumeDevices: ["devicePath"],
  imagePullSecrets: ["name"],
  ownerReferences: ["uid"],
  conditions: ["type"],
  hostAliases: ["ip"],
  podIPs: ["ip"],
  hostIPs: ["ip"],
  resourceClaims: ["name"],
  topologySpreadConstraints: ["topologyKey", "whenUnsatisfiable"],
};
const setLists = new Set(["finalizers"]);

/** Which part of an object a write may touch: all but the status, only the status, or everything. */
export type FieldScope = "main" | "status" | "all";

function inScope(key: string, scope: FieldScope): boolean {
  if (key === "apiVersion" || key === "kind") return false;
  if (scope === "main") return key !== "status";
  if (scope === "status") return key === "status";
  return true;
}

type ListShape = { kind: "atomic" } | { kind: "set" } | { kind: "keyed"; keys: readonly string[] };

function listShape(field: string, atRoot: boolean, items: unknown[]): ListShape {
  if (setLists.has(field)) {
    return items.every((item) => item === null || typeof item !== "object")
      ? { kind: "set" }
      : { kind: "atomic" };
  }
  let keys = listKeys[field];
  // A Service's and a container's ports are keyed lists; an EndpointSlice's (at the root) are atomic.
  if (field === "ports" && !atRoot) {
    keys = items.some((item) => isPlainObject(item) && "containerPort" in item)
      ? ["containerPort", "protocol"]
      : ["port", "protocol"];
  }
  if (!keys) return { kind: "atomic" };
  const seen = new Set<string>();
  for (const item of items) {
    if (!isPlainObject(item)) return { kind: "atomic" };
    const element = elementKey(item, keys);
    if (element === undefined || seen.has(element)) return { kind: "atomic" };
    seen.add(element);
  }
  return { kind: "keyed", keys };
}

function elementKey(item: Record<string, unknown>, keys: readonly string[]): string | undefined {
  let text = "k:{";
  // The key's fields in name order, as structured-merge-diff serialises them.
  const sorted = keys.length > 1 ? [...keys].sort() : keys;
  for (let i = 0; i < sorted.length; i++) {
    const name = sorted[i]!;
    // Protocol is defaulted to TCP before the real server computes field sets.
    const value = item[name] ?? (name === "protocol" ? "TCP" : undefined);
    if (value === undefined || (typeof value === "object" && value !== null)) return undefined;
    text += `${i > 0 ? "," : ""}${JSON.stringify(name)}:${JSON.stringify(value)}`;
  }
  return `${text}}`;
}

function isEmptyValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) {
    for (const _ in value) return false;
    return true;
  }
  return false;
}

function hasChildren(node: FieldSet): boolean {
  for (const key in node) if (key !== ".") return true;
  return false;
}

// Whole-object field sets repeat themselves across a cluster (every pod of a deployment has the
// same container fields, every pod the same status fields), and a large scenario would otherwise
// spend more memory on them than on the objects. Built sets are therefore interned: equal subtrees
// are one frozen node. Bounded, so a long run cannot grow it without end.
const internLimit = 200_000;
const interned = new Map<string, FieldSet>();
const internIds = new Map<FieldSet, number>();

function intern(node: FieldSet): FieldSet {
  let key = "";
  for (const name in node) {
    const child = node[name]!;
    let id = child === leaf ? 0 : internIds.get(child);
    if (id === undefined) {
      id = internIds.size + 1;
      internIds.set(child, id);
    }
    key += `${name}\u0000${id}\u0001`;
  }
  const found = interned.get(key);
  if (found) return found;
  if (interned.size >= internLimit) {
    interned.clear();
    internIds.clear();
  }
  Object.freeze(node);
  interned.set(key, node);
  internIds.set(node, internIds.size + 1);
  return node;
}

/**
 * Every field of a value that did not exist before: the set a manager gets for creating it. The
 * node itself is a member unless the skeleton says the typed object always had it.
 */
function addedNode(
  value: unknown,
  field: string,
  atRoot: boolean,
  skeleton: Skeleton | undefined,
  applied: boolean,
): FieldSet | undefined {
  // An applied configuration names its leaves and list elements, never the maps above them.
  const member = !applied && skeleton === undefined;
  const asLeaf = applied || member ? leaf : undefined;
  if (isEmptyValue(value)) return asLeaf;
  let node: FieldSet | undefined;
  if (Array.isArray(value)) {
    const shape = listShape(field, atRoot, value);
    if (shape.kind === "atomic") return asLeaf;
    node = listNode(value, shape, member, applied);
  } else if (isPlainObject(value) && !atomicMaps.has(field)) {
    node = objectNode(value, false, skeleton, "all", member, applied);
  } else {
    return asLeaf;
  }
  if (!hasChildren(node)) return asLeaf;
  return intern(node);
}

function listNode(items: unknown[], shape: ListShape, member: boolean, applied: boolean): FieldSet {
  const names: string[] = [];
  const nodes = new Map<string, FieldSet>();
  for (const item of items) {
    if (shape.kind === "set") {
      const name = `v:${JSON.stringify(item)}`;
      names.push(name);
      nodes.set(name, leaf);
      continue;
    }
    const element = item as Record<string, unknown>;
    const name = elementKey(element, (shape as { keys: readonly string[] }).keys)!;
    names.push(name);
    nodes.set(name, elementSet(element, applied));
  }
  names.sort();
  const node = newNode();
  if (member) node["."] = leaf;
  for (const name of names) node[name] = nodes.get(name)!;
  return node;
}

function objectNode(
  value: Record<string, unknown>,
  isRoot: boolean,
  skeleton: Skeleton | undefined,
  scope: FieldScope,
  member: boolean,
  applied: boolean,
): FieldSet {
  const node = newNode();
  if (member) node["."] = leaf;
  const keys = Object.keys(value).sort();
  for (const key of keys) {
    if (isRoot && !inScope(key, scope)) continue;
    const child = value[key];
    if (child === undefined) continue;
    const inner =
      isRoot && key === "metadata" && isPlainObject(child)
        ? metadataNode(child, applied)
        : addedNode(child, key, isRoot, skeleton?.[key], applied);
    if (inner !== undefined) node[fieldName(key)] = inner;
  }
  return node;
}

function metadataNode(meta: Record<string, unknown>, applied: boolean): FieldSet | undefined {
  const node = newNode();
  for (const key of Object.keys(meta).sort()) {
    if (serverOwnedMeta.has(key) || meta[key] === undefined) continue;
    const inner = addedNode(meta[key], key, false, undefined, applied);
    if (inner !== undefined) node[fieldName(key)] = inner;
  }
  return hasChildren(node) ? node : undefined;
}

/**
 * The fields of a whole object: as a manager that created it would hold them, or (`applied`) as
 * a server-side apply of it claims them.
 */
export function fieldSetOf(
  obj: Record<string, unknown>,
  skeleton: Skeleton,
  scope: FieldScope,
  applied = false,
): FieldSet {
  return objectNode(obj, true, skeleton, scope, false, applied);
}

/** The fields of an element of a keyed list (all of them: the element is new). */
function elementSet(element: Record<string, unknown>, applied = false): FieldSet {
  const inner = objectNode(element, false, undefined, "all", true, applied);
  return hasChildren(inner) ? intern(inner) : leaf;
}

export interface FieldChanges {
  /** Fields added or given a new value. */
  changed: FieldSet;
  /** Fields that are gone. */
  removed: FieldSet;
}

/** What a write changed, field by field (structured-merge-diff's Compare). */
export function compareObjects(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  skeleton: Skeleton,
  scope: FieldScope,
): FieldChanges {
  const changes: FieldChanges = { changed: newNode(), removed: newNode() };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    if (!inScope(key, scope)) continue;
    const part =
      key === "metadata"
        ? compareMetadata(before[key], after[key])
        : compareValue(before[key], after[key], key, true, skeleton[key]);
    if (part.changed) changes.changed[fieldName(key)] = part.changed;
    if (part.removed) changes.removed[fieldName(key)] = part.removed;
  }
  return changes;
}

interface NodeChanges {
  changed?: FieldSet;
  removed?: FieldSet;
}

function compareMetadata(before: unknown, after: unknown): NodeChanges {
  const a = isPlainObject(before) ? before : {};
  const b = isPlainObject(after) ? after : {};
  const changed = newNode();
  const removed = newNode();
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (serverOwnedMeta.has(key)) continue;
    const part = compareValue(a[key], b[key], key, false, undefined);
    if (part.changed) changed[fieldName(key)] = part.changed;
    if (part.removed) removed[fieldName(key)] = part.removed;
  }
  return { ...(hasChildren(changed) ? { changed } : {}), ...(hasChildren(removed) ? { removed } : {}) };
}

function compareValue(
  before: unknown,
  after: unknown,
  field: string,
  atRoot: boolean,
  skeleton: Skeleton | undefined,
): NodeChanges {
  const hadIt = before !== undefined && before !== null;
  const hasIt = after !== undefined && after !== null;
  if (!hadIt && !hasIt) return {};
  if (!hadIt && skeleton && isEmptyValue(after)) return {};
  if (!hadIt && !skeleton) {
    const changed = addedNode(after, field, atRoot, undefined, false);
    return changed ? { changed } : {};
  }
  if (!hasIt && !skeleton) {
    const removed = addedNode(before, field, atRoot, undefined, false);
    return removed ? { removed } : {};
  }
  // Both there (or the typed object always has it): descend where both sides are granular.
  if (Array.isArray(before ?? after) && Array.isArray(after ?? before)) {
    const a = (before ?? []) as unknown[];
    const b = (after ?? []) as unknown[];
    const shape = listShape(field, atRoot, [...a, ...b]);
    if (shape.kind !== "atomic" && !(a.length === 0 && b.length === 0)) return compareList(a, b, shape);
  } else if (
    (isPlainObject(before) || before == null) &&
    (isPlainObject(after) || after == null) &&
    !atomicMaps.has(field) &&
    !(isEmptyValue(before ?? {}) && isEmptyValue(after ?? {}))
  ) {
    return compareMap(
      (before ?? {}) as Record<string, unknown>,
      (after ?? {}) as Record<string, unknown>,
      skeleton,
    );
  }
  if (sameJson(before, after)) return {};
  return hasIt ? { changed: leaf } : { removed: leaf };
}

function compareMap(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  skeleton: Skeleton | undefined,
): NodeChanges {
  const changed = newNode();
  const removed = newNode();
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const part = compareValue(before[key], after[key], key, false, skeleton?.[key]);
    if (part.changed) changed[fieldName(key)] = part.changed;
    if (part.removed) removed[fieldName(key)] = part.removed;
  }
  return { ...(hasChildren(changed) ? { changed } : {}), ...(hasChildren(removed) ? { removed } : {}) };
}

function compareList(before: unknown[], after: unknown[], shape: ListShape): NodeChanges {
  const index = (items: unknown[]) => {
    const byName = new Map<string, unknown>();
    for (const item of items) {
      const name =
        shape.kind === "keyed"
          ? elementKey(item as Record<string, unknown>, shape.keys)!
          : `v:${JSON.stringify(item)}`;
      byName.set(name, item);
    }
    return byName;
  };
  const a = index(before);
  const b = index(after);
  const changed = newNode();
  const removed = newNode();
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const had = a.get(name);
    const has = b.get(name);
    if (shape.kind === "set") {
      if (had === undefined) changed[name] = leaf;
      else if (has === undefined) removed[name] = leaf;
      continue;
    }
    if (had === undefined) {
      changed[name] = elementSet(has as Record<string, unknown>);
    } else if (has === undefined) {
      removed[name] = elementSet(had as Record<string, unknown>);
    } else {
      const part = compareMap(had as Record<string, unknown>, has as Record<string, unknown>, undefined);
      if (part.changed) changed[name] = part.changed;
      if (part.removed) removed[name] = part.removed;
    }
  }
  return { ...(hasChildren(changed) ? { changed } : {}), ...(hasChildren(removed) ? { removed } : {}) };
}

// ---- set algebra on tries ----

function isMember(node: FieldSet): boolean {
  return "." in node || !hasChildren(node);
}

function build(member: boolean, children: FieldSet): FieldSet | undefined {
  if (!hasChildren(children)) return member ? leaf : undefined;
  if (!member) return children;
  const node = newNode();
  node["."] = leaf;
  for (const name in children) node[name] = children[name]!;
  return node;
}

function sortedChildren(entries: [string, FieldSet][]): FieldSet {
  entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const children = newNode();
  for (const [name, node] of entries) children[name] = node;
  return children;
}

function unionNode(a: FieldSet, b: FieldSet, isRoot: boolean): FieldSet {
  const entries: [string, FieldSet][] = [];
  for (const name in a) {
    if (name === ".") continue;
    const other = b[name];
    entries.push([name, other ? unionNode(a[name]!, other, false) : a[name]!]);
  }
  for (const name in b) if (name !== "." && !(name in a)) entries.push([name, b[name]!]);
  const member = !isRoot && (isMember(a) || isMember(b));
  return build(member, sortedChildren(entries)) ?? newNode();
}

function differenceNode(a: FieldSet, b: FieldSet, isRoot: boolean): FieldSet | undefined {
  const entries: [string, FieldSet][] = [];
  for (const name in a) {
    if (name === ".") continue;
    const other = b[name];
    const rest = other ? differenceNode(a[name]!, other, false) : a[name]!;
    if (rest !== undefined) entries.push([name, rest]);
  }
  const member = !isRoot && isMember(a) && !isMember(b);
  return build(member, sortedChildren(entries));
}

export function unionSets(a: FieldSet, b: FieldSet): FieldSet {
  return unionNode(a, b, true);
}

export function differenceOf(a: FieldSet, b: FieldSet): FieldSet {
  return differenceNode(a, b, true) ?? newNode();
}

export function isEmptySet(set: FieldSet): boolean {
  return !hasChildren(set);
}
