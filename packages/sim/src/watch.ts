// Watches: where a stream starts (synthetic ADDED for the current state, or resumed from the
// history), how each change is filtered (selector transitions become ADDED/DELETED as in the real
// watch cache), bookmarks, timeouts, and the fault hooks that drop or stall every open stream.
//
// A watch from a resourceVersion the store has not reached is what the watch cache makes of it
// (cacher.go Watch, cache_watcher.go process): accepted, and silent until the store passes that
// point, because only events and bookmarks newer than where the watch starts are sent. A watch-list
// (sendInitialEvents) from such a point waits up to 3 s for the store to catch up, then gets an ERROR
// event with the 504 "Too large resource version".
import type { IncomingHttpHeaders } from "node:http";
import type { SimResourceType } from "./catalog.js";
import type { KubeObject } from "./object-api.js";
import type { Matcher } from "./selectors.js";
import {
  asVersion,
  type ObjectStore,
  type StoredChange,
  storageKey,
  untilResourceVersion,
} from "./store/index.js";
import { expired, StatusError, tooLargeResourceVersion } from "./store/status-error.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Where a watcher's events go; the HTTP layer encodes them (JSON or Table) onto the response. */
export interface WatchOutput {
  /** Writes one event; false when the client is behind and the writer should wait for onDrain. */
  write(type: WatchEventType, object: KubeObject): boolean;
  /** Calls back once when the client has caught up after a write returned false. */
  onDrain(callback: () => void): void;
  /** Writes one line as given, for faults that feed a client bad data. */
  writeRaw(line: string): void;
  /** Ends the stream cleanly (a timeout, or the server closing). */
  end(): void;
  /** Cuts the connection without a clean end, as a dropped network path would. */
  abort(): void;
}

export interface WatchRequest {
  type: SimResourceType;
  namespace?: string;
  matcher?: Matcher;
  /** As sent by the client; undefined when absent. */
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** The client's request headers, so a fault can pick out one client's streams. */
  headers?: IncomingHttpHeaders;
}

export interface WatchHubOptions {
  bookmarkIntervalMs?: number;
  /** Streams without timeoutSeconds end after this, like the real server's --min-request-timeout. */
  defaultTimeoutSeconds?: number;
}

const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_SECONDS = 1800;
// Events held for a client that reads slower than they come; past this it is dropped, as the real
// server drops watchers whose buffers fill. Above the history size, so a full replay fits.
const MAX_QUEUED_EVENTS = 200_000;

type PendingEvent = [WatchEventType, KubeObject];

/** The current state streamed as ADDED, one object at a time as the client takes them. */
interface InitialState {
  items: KubeObject[];
  index: number;
  matches(obj: KubeObject): boolean;
  /** Sent once the state is out (the initial-events-end bookmark). */
  finalEvent?: PendingEvent;
}

export class Watcher {
  stalled = false;
  /** Where the stream starts: nothing at or before it is sent, bookmarks included. */
  startResourceVersion = 0;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  private initial: InitialState | undefined;
  private queue: PendingEvent[] = [];
  private head = 0;
  private blocked = false;

  constructor(
    private readonly hub: WatchHub,
    readonly request: WatchRequest,
    private readonly output: WatchOutput,
  ) {}

  start(store: ObjectStore, bookmarkIntervalMs: number, timeoutSeconds: number): void {
    if (this.request.allowBookmarks) {
      const timer = setInterval(() => this.bookmark(store.resourceVersion), bookmarkIntervalMs);
      timer.unref();
      this.timers.push(timer);
    }
    const timeout = setTimeout(() => {
      if (this.stalled) return;
      if (this.request.allowBookmarks) this.bookmark(store.resourceVersion);
      this.close();
    }, timeoutSeconds * 1000);
    timeout.unref();
    this.timers.push(timeout);
  }

  deliver(change: StoredChange): void {
    if (this.closed || this.stalled || change.resourceVersion <= this.startResourceVersion) return;
    const { namespace, matcher } = this.request;
    if (namespace && change.object.metadata?.namespace !== namespace) return;
    const now = !matcher || matcher(change.object);
    if (change.type !== "MODIFIED" || !matcher || !change.previous) {
      if (now) this.send(change.type, change.object);
      return;
    }
    const before = matcher(change.previous);
    if (now && before) this.send("MODIFIED", change.object);
    else if (now) this.send("ADDED", change.object);
    else if (before) {
      // The object left the selection: say so with its last matching state at the new version.
      const meta = { ...change.previous.metadata, resourceVersion: change.object.metadata?.resourceVersion };
      this.send("DELETED", { ...change.previous, metadata: meta });
    }
  }

  send(type: WatchEventType, object: KubeObject): void {
    if (this.closed || this.stalled) return;
    const event: PendingEvent = [type, type === "ERROR" ? object : asVersion(object, this.request.type)];
    if (this.blocked || this.initial || this.head < this.queue.length) {
      this.queue.push(event);
      if (this.queue.length - this.head > MAX_QUEUED_EVENTS) this.abort();
      return;
    }
    this.emit(event);
  }

  /** Streams a snapshot of the state as ADDED events, ahead of anything that happens meanwhile. */
  sendInitial(items: KubeObject[], matches: (obj: KubeObject) => boolean, finalEvent?: PendingEvent): void {
    this.initial = { items, index: 0, matches };
    if (finalEvent) this.initial.finalEvent = finalEvent;
    this.pump();
  }

  private emit([type, object]: PendingEvent): void {
    if (this.output.write(type, object)) return;
    this.blocked = true;
    this.output.onDrain(() => {
      this.blocked = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.blocked && !this.closed && !this.stalled) {
      const next = this.nextPending();
      if (!next) return;
      this.emit(next);
    }
  }

  private nextPending(): PendingEvent | undefined {
    const initial = this.initial;
    if (initial) {
      while (initial.index < initial.items.length) {
        const obj = initial.items[initial.index++]!;
        if (initial.matches(obj)) return ["ADDED", asVersion(obj, this.request.type)];
      }
      this.initial = undefined;
      if (initial.finalEvent) return initial.finalEvent;
    }
    if (this.head >= this.queue.length) return undefined;
    const next = this.queue[this.head++]!;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return next;
  }

  /** A raw line straight onto the stream (fault injection); false when the stream is silent. */
  injectRaw(line: string): boolean {
    if (this.closed || this.stalled) return false;
    this.output.writeRaw(line);
    return true;
  }

  /**
   * A bookmark never goes back past where the stream started. (The watch cache also drops one that
   * equals it; an idle simulator has no leases renewing to move its counter, so it keeps those.)
   */
  bookmark(resourceVersion: number): void {
    if (resourceVersion < this.startResourceVersion) return;
    this.send("BOOKMARK", this.bookmarkObject(resourceVersion));
  }

  bookmarkObject(resourceVersion: number, annotations?: Record<string, string>): KubeObject {
    const { group, version, kind } = this.request.type;
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    return { kind, apiVersion: group ? `${group}/${version}` : version, metadata };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.finish()) this.output.end();
  }

  abort(): void {
    if (this.finish()) this.output.abort();
  }

  /** The client went away: stop without writing. */
  detach(): void {
    this.finish();
  }

  private finish(): boolean {
    if (this.closed) return false;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.hub.remove(this);
    return true;
  }
}

export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly bookmarkIntervalMs: number;
  private readonly defaultTimeoutSeconds: number;
  /** While set, new streams stall too (a stall fault with a duration). */
  stallNewUntil = 0;

  constructor(
    private readonly store: ObjectStore,
    options: WatchHubOptions = {},
  ) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS;
    this.defaultTimeoutSeconds = options.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    store.onChange((change) => {
      for (const watcher of this.watchers.get(change.storageKey) ?? []) watcher.deliver(change);
    });
    store.registry.onTypeRemoved((type) => {
      for (const watcher of this.all()) {
        const watched = watcher.request.type;
        if (watched.group === type.group && watched.name === type.name && watched.version === type.version) {
          watcher.close();
        }
      }
    });
  }

  /** Opens a watch; history that is too old becomes an ERROR 410 event, as the real server sends. */
  open(request: WatchRequest, output: WatchOutput): Watcher {
    const watcher = new Watcher(this, request, output);
    const rv = request.resourceVersion;
    const from = rv === undefined || rv === "" ? 0 : Number(rv);
    if (!Number.isInteger(from) || from < 0) {
      throw new StatusError(400, "BadRequest", `invalid resource version: ${rv}`);
    }
    if (request.sendInitialEvents && from > this.store.resourceVersion) {
      void untilResourceVersion(
        () => this.store.resourceVersion,
        from,
        () => watcher.isClosed,
      ).then((reached) => {
        if (watcher.isClosed) return;
        if (reached) return this.begin(watcher, from);
        const error = tooLargeResourceVersion(from, this.store.resourceVersion);
        watcher.send("ERROR", error.toStatus() as unknown as KubeObject);
        watcher.close();
      });
      return watcher;
    }
    this.begin(watcher, from);
    return watcher;
  }

  /** Sends what the watch starts with (the state, or the history after its resourceVersion) and registers it. */
  private begin(watcher: Watcher, from: number): void {
    const { request } = watcher;
    const { type, namespace, matcher } = request;
    const key = storageKey(type.group, type.name);
    const matches = (obj: KubeObject) =>
      (!namespace || obj.metadata?.namespace === namespace) && (!matcher || matcher(obj));

    if (request.sendInitialEvents || from === 0) {
      const current = this.store.resourceVersion;
      watcher.startResourceVersion = current;
      const items = this.store.listStored(type, type.namespaced ? namespace : undefined);
      const end: PendingEvent | undefined = request.sendInitialEvents
        ? ["BOOKMARK", watcher.bookmarkObject(current, { "k8s.io/initial-events-end": "true" })]
        : undefined;
      watcher.sendInitial(items, matches, end);
    } else {
      if (!this.store.history.canResumeFrom(from)) {
        const error = expired(`too old resource version: ${from} (${this.store.history.oldestResumable})`);
        watcher.send("ERROR", error.toStatus() as unknown as KubeObject);
        watcher.close();
        return;
      }
      for (const change of this.store.history.since(from, key)) watcher.deliver(change);
      watcher.startResourceVersion = from;
    }

    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(watcher);
    if (Date.now() < this.stallNewUntil) watcher.stalled = true;
    const timeout = request.timeoutSeconds ?? this.defaultTimeoutSeconds * (1 + Math.random());
    watcher.start(this.store, this.bookmarkIntervalMs, timeout);
  }

  remove(watcher: Watcher): void {
    const type = watcher.request.type;
    this.watchers.get(storageKey(type.group, type.name))?.delete(watcher);
  }

  get openCount(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /** Writes a line into every open, unstalled watch of a resource; returns how many got it. */
  injectLine(resource: string, group: string | undefined, line: string): number {
    let count = 0;
    for (const watcher of this.all()) {
      const type = watcher.request.type;
      if (type.name !== resource || (group !== undefined && type.group !== group)) continue;
      if (watcher.injectRaw(line)) count++;
    }
    return count;
  }

  /** Cuts every open stream. */
  dropAll(): number {
    const all = this.all();
    for (const watcher of all) watcher.abort();
    return all.length;
  }

  /** Every open stream goes silent without closing; optionally new ones too, for a while. */
  stallAll(newStreamsForMs = 0): number {
    const all = this.all();
    for (const watcher of all) watcher.stalled = true;
    if (newStreamsForMs > 0) this.stallNewUntil = Date.now() + newStreamsForMs;
    return all.length;
  }

  /** The open streams whose request matches go silent without closing; returns how many. */
  stallWhere(matches: (request: WatchRequest) => boolean): number {
    let count = 0;
    for (const watcher of this.all()) {
      if (watcher.stalled || !matches(watcher.request)) continue;
      watcher.stalled = true;
      count++;
    }
    return count;
  }

  /** Ends every stream cleanly (server shutdown, or a fault that mimics a timeout). */
  closeAll(): number {
    const all = this.all();
    for (const watcher of all) watcher.close();
    return all.length;
  }

  private all(): Watcher[] {
    return [...this.watchers.values()].flatMap((set) => [...set]);
  }
}
