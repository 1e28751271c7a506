// Every object the simulator holds, and the one write path (HTTP verbs, churn and scenario loading
// all come through here) that stamps resourceVersions from one global counter and records changes.
import type { SimResourceType } from "../catalog.js";
import type { KubeObject, ObjectApi } from "../object-api.js";
import { isEventsApiType, toCoreEvent, toEventsApi } from "./event-versions.js";
import { collectDependents } from "./garbage-collector.js";
import { ChangeHistory, type ChangeType, type StoredChange } from "./history.js";
import {
  carriesOwnManagedFields,
  type FieldManager,
  initialManagedFields,
  likelyManager,
  likelyStatusManager,
  managedFieldsAfterWrite,
} from "./managed-fields.js";
import {
  fillCreateDefaults,
  generatedName,
  isPlainObject,
  metadataOf,
  nowTimestamp,
  sameJson,
  validateName,
} from "./object-meta.js";
import { OwnerIndex } from "./owner-index.js";
import { apiVersionOf, storageKey, TypeRegistry } from "./registry.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  pathNotFound,
  staleObjectMessage,
} from "./status-error.js";
import {
  checkKind,
  fillNamespaceDefaults,
  mergeForSubresource,
  namespaceFor,
  pendingFinalizers,
  specChanged,
  tracksGeneration,
} from "./write-rules.js";

export interface ObjectStoreOptions {
  /** How many changes a watch can resume across before it gets 410 Expired. */
  historySize?: number;
  registry?: TypeRegistry;
}

export interface WriteOptions {
  /** "status" writes only the status; anything else (or none) writes all but the status. */
  subresource?: string;
  /** Validate and answer as if written, but store nothing (dryRun=All). */
  dryRun?: boolean;
  /**
   * What a delete does to the objects the deleted one owns: "Background" and "Foreground" delete
   * them (here at once), "Orphan" only drops the owner reference. The default is Background.
   */
  propagationPolicy?: string;
  /** A create over the API: uid, creationTimestamp and generation are the server's, not the body's. */
  fromClient?: boolean;
  /** Delete even with finalizers pending (namespace and CRD cleanup, which the real server forces). */
  force?: boolean;
  /**
   * Whose write this is, for metadata.managedFields. Without one, the write is taken for that of
   * whoever would make such an object in a real cluster (a controller, the kubelet, a user).
   */
  manager?: FieldManager;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Type-specific behaviour around writes (CRDs register types, namespaces cascade). */
export interface StoreHook {
  /** Validates and fills server-owned fields; may throw a StatusError. */
  prepare?(obj: KubeObject, previous: KubeObject | undefined): void;
  afterWrite?(obj: KubeObject, previous: KubeObject | undefined): void;
  beforeDelete?(obj: KubeObject): void;
}

export type ChangeListener = (change: StoredChange) => void;

const DEFAULT_HISTORY_SIZE = 50_000;
// A restart with lost history moves the counter this far, so no old resourceVersion stays valid.
const EPOCH_STRIDE = 1_000_000;

type Namespaces = Map<string, Map<string, KubeObject>>;

export class ObjectStore implements ObjectApi {
  readonly registry: TypeRegistry;
  readonly history: ChangeHistory;
  private counter = 1;
  private readonly data = new Map<string, Namespaces>();
  private readonly sorted = new Map<string, KubeObject[]>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly hooks = new Map<string, StoreHook>();
  private readonly owners = new OwnerIndex();

  constructor(options: ObjectStoreOptions = {}) {
    this.registry = options.registry ?? new TypeRegistry();
    this.history = new ChangeHistory(options.historySize ?? DEFAULT_HISTORY_SIZE, this.counter);
  }

  /** The newest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.counter;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addHook(group: string, resource: string, hook: StoreHook): void {
    this.hooks.set(storageKey(group, resource), hook);
  }

  /** The served type, or the 404 the real server gives for a path it does not serve. */
  resolve(group: string, version: string, resource: string): SimResourceType {
    const type = this.registry.find(group, version, resource);
    if (!type) throw pathNotFound();
    return type;
  }

  // ---- reads: stored objects, never to be mutated by the caller ----

  getStored(type: SimResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.data
      .get(storageKey(type.group, type.name))
      ?.get(type.namespaced ? (namespace ?? "") : "")
      ?.get(name);
    return found ? asVersion(found, type) : undefined;
  }

  /** Objects sorted by namespace then name, as etcd's key order gives them. */
  listStored(type: SimResourceType, namespace?: string): KubeObject[] {
    const key = storageKey(type.group, type.name);
    const namespaces = this.data.get(key);
    if (!namespaces) return [];
    let objects: KubeObject[];
    if (type.namespaced && namespace) {
      const names = namespaces.get(namespace);
      objects = names ? [...names.keys()].sort().map((name) => names.get(name)!) : [];
    } else {
      objects = this.sorted.get(key) ?? this.sortAll(key, namespaces);
    }
    const apiVersion = apiVersionOf(type.group, type.version);
    return objects.length > 0 && objects[0]!.apiVersion !== apiVersion
      ? objects.map((obj) => asVersion(obj, type))
      : objects;
  }

  /**
   * The objects as they were at a past resourceVersion, rebuilt by undoing the retained history;
   * undefined once that point has been compacted away.
   */
  listAt(
    type: SimResourceType,
    namespace: string | undefined,
    resourceVersion: number,
  ): KubeObject[] | undefined {
    const current = this.listStored(type, namespace);
    if (resourceVersion >= this.counter) return current;
    if (!this.history.canResumeFrom(resourceVersion)) return undefined;
    const changes = this.history.since(resourceVersion, storageKey(type.group, type.name));
    if (changes.length === 0) return current;
    const byKey = new Map(current.map((obj) => [keyOf(obj), obj]));
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i]!;
      if (namespace && type.namespaced && change.object.metadata?.namespace !== namespace) continue;
      const key = keyOf(change.object);
      if (change.type === "ADDED") byKey.delete(key);
      else if (change.previous) byKey.set(key, asVersion(change.previous, type));
    }
    return [...byKey.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map((entry) => entry[1]);
  }

  count(type: SimResourceType): number {
    let total = 0;
    for (const names of this.data.get(storageKey(type.group, type.name))?.values() ?? []) total += names.size;
    return total;
  }

  // ---- writes ----

  /** Stores a new object, taking ownership of it (the caller must not touch it afterwards). */
  createObject(
    type: SimResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    options: WriteOptions = {},
  ): KubeObject {
    if (!isPlainObject(obj)) throw badRequest("the body of the request must be a JSON object");
    const stored = this.storedFormOf(type, obj);
    if (stored) {
      return asVersion(
        this.createObject(stored.type, namespace, stored.obj, throughApi(options, type)),
        type,
      );
    }
    const gr = { group: type.group, resource: type.name };
    const meta = metadataOf(obj);
    checkKind(type, obj);
    const targetNamespace = namespaceFor(type, namespace, meta.namespace);
    if (!meta.name && typeof meta.generateName === "string" && meta.generateName) {
      meta.name = generatedName(meta.generateName);
    }
    validateName(type.kind, type.group, meta, type.name === "namespaces" && type.group === "");
    const name = meta.name as string;
    if (targetNamespace !== undefined) {
      meta.namespace = targetNamespace;
      if (!this.namespaceExists(targetNamespace))
        throw notFound({ group: "", resource: "namespaces" }, targetNamespace);
    } else {
      delete meta.namespace;
    }
    if (this.bucket(type, targetNamespace)?.has(name)) throw alreadyExists(gr, name);
    obj.apiVersion = apiVersionOf(type.group, type.version);
    obj.kind = type.kind;
    fillCreateDefaults(meta, options.fromClient ?? false);
    if (!tracksGeneration(type)) delete meta.generation;
    if (type.name === "namespaces" && type.group === "") fillNamespaceDefaults(obj, name);
    const hook = this.hooks.get(storageKey(type.group, type.name));
    hook?.prepare?.(obj, undefined);
    const managed = options.manager
      ? managedFieldsAfterWrite(type, undefined, obj, options.manager, undefined)
      : Array.isArray(meta.managedFields)
        ? meta.managedFields
        : initialManagedFields(obj, type);
    if (managed.length > 0) meta.managedFields = managed;
    else delete meta.managedFields;
    if (options.dryRun) {
      delete meta.resourceVersion;
      return obj;
    }
    meta.resourceVersion = String(++this.counter);
    this.bucket(type, targetNamespace, true)!.set(name, obj);
    this.record("ADDED", type, obj);
    hook?.afterWrite?.(obj, undefined);
    return obj;
  }

  /** Replaces an object, taking ownership of the new one; a stale resourceVersion is a Conflict. */
  updateObject(
    type: SimResourceType,
    namespace: string | undefined,
    name: string,
    obj: KubeObject,
    options: WriteOptions = {},
  ): KubeObject {
    if (!isPlainObject(obj)) throw badRequest("the body of the request must be a JSON object");
    const stored = this.storedFormOf(type, obj);
    if (stored) {
      const written = this.updateObject(stored.type, namespace, name, stored.obj, throughApi(options, type));
      return asVersion(written, type);
    }
    const gr = { group: type.group, resource: type.name };
    const meta = metadataOf(obj);
    checkKind(type, obj);
    const targetNamespace = namespaceFor(type, namespace, meta.namespace);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
      );
    }
    const previous = this.bucket(type, targetNamespace)?.get(name);
    if (!previous) throw notFound(gr, name);
    const previousMeta = previous.metadata!;
    if (
      meta.resourceVersion !== undefined &&
      meta.resourceVersion !== "" &&
      meta.resourceVersion !== previousMeta.resourceVersion
    ) {
      throw conflict(gr, name, staleObjectMessage);
    }
    if (meta.uid !== undefined && meta.uid !== "" && meta.uid !== previousMeta.uid) {
      throw conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${previousMeta.uid}`,
      );
    }
    const next = mergeForSubresource(type, previous, obj, options.subresource);
    const nextMeta = metadataOf(next);
    validateName(type.kind, type.group, { ...nextMeta, name }, false);
    // Server-owned metadata survives any write.
    nextMeta.name = name;
    if (targetNamespace !== undefined) nextMeta.namespace = targetNamespace;
    nextMeta.uid = previousMeta.uid;
    nextMeta.creationTimestamp = previousMeta.creationTimestamp;
    if (previousMeta.deletionTimestamp) nextMeta.deletionTimestamp = previousMeta.deletionTimestamp;
    else delete nextMeta.deletionTimestamp;
    next.apiVersion = previous.apiVersion;
    next.kind = type.kind;
    if (tracksGeneration(type)) {
      const previousGeneration = typeof previousMeta.generation === "number" ? previousMeta.generation : 1;
      nextMeta.generation = specChanged(previous, next) ? previousGeneration + 1 : previousGeneration;
    } else {
      delete nextMeta.generation;
    }
    const hook = this.hooks.get(storageKey(type.group, type.name));
    hook?.prepare?.(next, previous);
    this.trackManagers(type, previous, next, options);
    nextMeta.resourceVersion = previousMeta.resourceVersion;
    if (previousMeta.deletionTimestamp && !options.dryRun) {
      const before = new Set(previousMeta.finalizers ?? []);
      if ((nextMeta.finalizers ?? []).some((finalizer) => !before.has(finalizer))) {
        throw invalid(type.kind, type.group, name, [
          {
            reason: "FieldValueForbidden",
            message: "Forbidden: no new finalizers can be added if the object is being deleted",
            field: "metadata.finalizers",
          },
        ]);
      }
      if (pendingFinalizers(next).length === 0) {
        // The last finalizer is gone: the object goes now, and watchers see only its deletion.
        this.bucket(type, targetNamespace)!.set(name, next);
        return this.deleteObject(type, targetNamespace, name, {}, { force: true });
      }
    }
    // A write that changes nothing keeps the resourceVersion and tells no watcher, as etcd does.
    if (sameJson(next, previous) || options.dryRun) return asVersion(options.dryRun ? next : previous, type);
    nextMeta.resourceVersion = String(++this.counter);
    this.bucket(type, targetNamespace)!.set(name, next);
    this.record("MODIFIED", type, next, previous);
    hook?.afterWrite?.(next, previous);
    return asVersion(next, type);
  }

  deleteObject(
    type: SimResourceType,
    namespace: string | undefined,
    name: string,
    preconditions: DeletePreconditions = {},
    options: WriteOptions = {},
  ): KubeObject {
    const gr = { group: type.group, resource: type.name };
    const targetNamespace = type.namespaced ? (namespace ?? "") : undefined;
    const bucket = this.bucket(type, targetNamespace);
    const existing = bucket?.get(name);
    if (!bucket || !existing) throw notFound(gr, name);
    const meta = existing.metadata!;
    if (preconditions.uid && preconditions.uid !== meta.uid) {
      throw conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid}`,
      );
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${meta.resourceVersion}`,
      );
    }
    if (options.dryRun) return asVersion(existing, type);
    const pending = pendingFinalizers(existing);
    if (!options.force && pending.length > 0) {
      // Finalizers hold the object, marked for deletion, until whoever owns them removes them.
      if (meta.deletionTimestamp) return asVersion(existing, type);
      return this.rewrite(type, namespace, name, (obj) => {
        const marked = metadataOf(obj);
        marked.deletionTimestamp = nowTimestamp();
        marked.deletionGracePeriodSeconds = 0;
        marked.finalizers = pending;
      });
    }
    this.hooks.get(storageKey(type.group, type.name))?.beforeDelete?.(existing);
    // The hook may have removed it already (a CRD whose cleanup raced); deleting twice is a no-op.
    const current = bucket.get(name);
    if (!current) return asVersion(existing, type);
    bucket.delete(name);
    const currentMeta = current.metadata ?? {};
    const last: KubeObject = {
      ...current,
      metadata: {
        ...currentMeta,
        resourceVersion: String(++this.counter),
        deletionTimestamp: currentMeta.deletionTimestamp ?? nowTimestamp(),
      },
    };
    // A deleted object's final state carries no grace period left, which is what watchers see.
    if (last.metadata) last.metadata.deletionGracePeriodSeconds = 0;
    this.record("DELETED", type, last, current);
    collectDependents(
      this,
      this.owners,
      String(currentMeta.uid ?? ""),
      options.propagationPolicy ?? "Background",
    );
    return asVersion(last, type);
  }

  /**
   * A server-side change to a stored object (a controller's, not a client's): no validation, a new
   * resourceVersion and a MODIFIED event. Used where the real server marks objects itself.
   */
  rewrite(
    type: SimResourceType,
    namespace: string | undefined,
    name: string,
    change: (obj: KubeObject) => void,
  ): KubeObject {
    const targetNamespace = type.namespaced ? (namespace ?? "") : undefined;
    const bucket = this.bucket(type, targetNamespace);
    const previous = bucket?.get(name);
    if (!bucket || !previous) throw notFound({ group: type.group, resource: type.name }, name);
    const next = structuredClone(previous);
    change(next);
    metadataOf(next).resourceVersion = String(++this.counter);
    bucket.set(name, next);
    this.record("MODIFIED", type, next, previous);
    return asVersion(next, type);
  }

  /** Removes every object of a type in a namespace (or everywhere) without touching its served type. */
  deleteAllOf(type: SimResourceType, namespace?: string): KubeObject[] {
    const removed: KubeObject[] = [];
    for (const obj of [...this.listStored(type, namespace)]) {
      const meta = obj.metadata!;
      // An earlier delete in this sweep may have collected it already.
      if (!this.bucket(type, meta.namespace)?.has(meta.name!)) continue;
      removed.push(this.deleteObject(type, meta.namespace, meta.name!, {}, { force: true }));
    }
    return removed;
  }

  /** Every namespaced object in one namespace, across all types (for namespace deletion). */
  deleteNamespaceContents(namespace: string): void {
    for (const type of this.storageTypes()) {
      if (type.namespaced) this.deleteAllOf(type, namespace);
    }
  }

  /** One served type per storage key, for walking all stored objects. */
  storageTypes(): SimResourceType[] {
    const seen = new Map<string, SimResourceType>();
    for (const type of this.registry.all()) {
      const key = storageKey(type.group, type.name);
      const current = seen.get(key);
      if (!current || (type.preferred && !current.preferred)) seen.set(key, type);
    }
    return [...seen.values()].filter((type) => this.data.has(storageKey(type.group, type.name)));
  }

  /** Forgets all history up to now: every older resourceVersion and continue token expires. */
  compact(): void {
    this.history.compact(this.counter);
  }

  /** A restart that lost the watch cache: history gone and the counter in a new epoch. */
  restart(): void {
    this.counter += EPOCH_STRIDE;
    this.history.compact(this.counter);
  }

  // ---- ObjectApi: copies in and out, so callers can never corrupt stored state ----

  list(group: string, version: string, resource: string, namespace?: string): KubeObject[] {
    return this.listStored(this.resolve(group, version, resource), namespace).map((obj) =>
      structuredClone(obj),
    );
  }

  get(group: string, version: string, resource: string, namespace: string | undefined, name: string) {
    const found = this.getStored(this.resolve(group, version, resource), namespace, name);
    return found ? structuredClone(found) : undefined;
  }

  create(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    const type = this.resolve(group, version, resource);
    return structuredClone(this.createObject(type, obj.metadata?.namespace, structuredClone(obj)));
  }

  update(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    const type = this.resolve(group, version, resource);
    const meta = obj.metadata ?? {};
    if (!meta.name) throw badRequest("metadata.name is required for an update");
    return structuredClone(this.updateObject(type, meta.namespace, meta.name, structuredClone(obj)));
  }

  updateStatus(group: string, version: string, resource: string, obj: KubeObject): KubeObject {
    const type = this.resolve(group, version, resource);
    const meta = obj.metadata ?? {};
    if (!meta.name) throw badRequest("metadata.name is required for an update");
    const options = type.subresources?.includes("status") ? { subresource: "status" } : {};
    return structuredClone(this.updateObject(type, meta.namespace, meta.name, structuredClone(obj), options));
  }

  delete(
    group: string,
    version: string,
    resource: string,
    namespace: string | undefined,
    name: string,
  ): void {
    this.deleteObject(this.resolve(group, version, resource), namespace, name);
  }

  // ---- internals ----

  /**
   * For a write through a type whose objects are stored in another type's form (events.k8s.io
   * Events, kept as core Events): that type and the object converted; otherwise undefined.
   */
  private storedFormOf(
    type: SimResourceType,
    obj: KubeObject,
  ): { type: SimResourceType; obj: KubeObject } | undefined {
    if (!isEventsApiType(type)) return undefined;
    checkKind(type, obj);
    return { type: this.resolve("", "v1", "events"), obj: toCoreEvent(obj) };
  }

  /** Moves the fields a write changed to its manager, in the new object's managedFields. */
  private trackManagers(
    type: SimResourceType,
    previous: KubeObject,
    next: KubeObject,
    options: WriteOptions,
  ): void {
    const nextMeta = next.metadata!;
    const stored = previous.metadata?.managedFields;
    // A request's own managedFields replace the stored ones only when it changed them.
    if (!carriesOwnManagedFields(nextMeta.managedFields, stored)) {
      if (stored === undefined) delete nextMeta.managedFields;
      else nextMeta.managedFields = stored;
    }
    const manager: FieldManager = options.manager ?? {
      name: options.subresource === "status" ? likelyStatusManager(type) : likelyManager(next, type),
      operation: "Update",
    };
    const managed = managedFieldsAfterWrite(type, previous, next, manager, options.subresource);
    if (managed.length > 0) nextMeta.managedFields = managed;
    else delete nextMeta.managedFields;
  }

  private record(
    type: ChangeType,
    resourceType: SimResourceType,
    object: KubeObject,
    previous?: KubeObject,
  ): void {
    const key = storageKey(resourceType.group, resourceType.name);
    this.sorted.delete(key);
    const change: StoredChange = {
      resourceVersion: Number(object.metadata!.resourceVersion),
      type,
      storageKey: key,
      object,
    };
    if (previous) change.previous = previous;
    this.owners.apply(change);
    this.history.append(change);
    for (const listener of this.listeners) listener(change);
  }

  private bucket(type: SimResourceType, namespace: string | undefined, create = false) {
    const key = storageKey(type.group, type.name);
    let namespaces = this.data.get(key);
    if (!namespaces) {
      if (!create) return undefined;
      namespaces = new Map();
      this.data.set(key, namespaces);
    }
    const ns = type.namespaced ? (namespace ?? "") : "";
    let names = namespaces.get(ns);
    if (!names && create) {
      names = new Map();
      namespaces.set(ns, names);
    }
    return names;
  }

  private sortAll(key: string, namespaces: Namespaces): KubeObject[] {
    // etcd's order is that of the key "namespace/name", not namespace then name.
    const keyed: [string, KubeObject][] = [];
    for (const [ns, names] of namespaces) {
      for (const [name, obj] of names) keyed.push([ns ? `${ns}/${name}` : name, obj]);
    }
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const objects = keyed.map((entry) => entry[1]);
    this.sorted.set(key, objects);
    return objects;
  }

  private namespaceExists(name: string): boolean {
    return this.data.get(storageKey("", "namespaces"))?.get("")?.has(name) ?? false;
  }
}

/** The same stored object as seen through another version of its group (or events.k8s.io's view of an Event). */
export function asVersion(obj: KubeObject, type: SimResourceType): KubeObject {
  const apiVersion = apiVersionOf(type.group, type.version);
  if (obj.apiVersion === apiVersion) return obj;
  if (isEventsApiType(type)) return toEventsApi(obj, apiVersion);
  return { ...obj, apiVersion };
}

/** Write options for a write through another API than the stored type's: managedFields name the one used. */
function throughApi(options: WriteOptions, type: SimResourceType): WriteOptions {
  if (!options.manager) return options;
  return { ...options, manager: { ...options.manager, apiVersion: apiVersionOf(type.group, type.version) } };
}

function keyOf(obj: KubeObject): string {
  const meta = obj.metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta?.name ?? "");
}
