// Keeps one resource type of one cluster mirrored into a sink, the way client-go's Reflector does:
// list (paginated) → replace, then watch from the list's resourceVersion, advancing it with every
// event and bookmark. A 410 relists (the sink's replace drops what vanished); a busy or briefly
// unreachable server gets the watch reopened from the same resourceVersion after a wait; any other
// watch failure waits and relists; every failure waits a jittered, growing delay and tries again,
// forever. A stream that stays silent past its deadline is closed and reopened, because a half-dead
// connection never says it is dead.
//
// Like client-go's Reflector it holds no copy of the objects: the sink is the store (client-go's
// Store/Indexer; here the resource graph), and it is the sink that drops an update repeating the
// resourceVersion it holds and that keeps one object per name. The reflector passes events on as the
// server typed them, as client-go's watchHandler does, and counts objects for its status.
//
// Unlike client-go it compares resourceVersions: one that goes backwards (a list behind the last
// one, an event or bookmark behind the stream) means the server may be another cluster, so nothing
// more is delivered until the cluster gate has checked who it is, and the type is listed again.
import { Backoff } from "./backoff.js";
import type { ClusterGate } from "./cluster-contact.js";
import { errorText, isTransportFailure, KubeApiError, retryAfterMs } from "./errors.js";
import { type ListerWatcher, type WatchStream, watchErrorOf } from "./list-watch.js";
import type { Logger } from "./logger.js";
import { streamAll } from "./pager.js";
import { wentBackwards } from "./resource-version.js";
import { realSleep, type Sleep } from "./sleep.js";
import type { TypeProgress } from "./sync-progress.js";
import type { SyncPhase, TypeSyncStatus } from "./sync-status.js";
import { type ClusterRef, type ResourceEventSink, type ResourceType, resourceTypeName } from "./types.js";
import type { WatchEvent } from "./watch-event.js";
import { classifyWatchFailure, ShortWatchError, watchRecovery } from "./watch-failure.js";

export type ChangeEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ReflectorOptions {
  cluster: ClusterRef;
  type: ResourceType;
  listerWatcher: ListerWatcher;
  sink: ResourceEventSink;
  logger: Logger;
  /** Items per list page. */
  pageSize?: number;
  /** Watch timeoutSeconds is drawn from [min, 2×min], as client-go does, so watches do not expire together. */
  minWatchTimeoutSeconds?: number;
  /** A watch silent for this long (no event, no bookmark) is closed and reopened. */
  stallTimeoutMs?: number;
  backoff?: Backoff;
  sleep?: Sleep;
  random?: () => number;
  /** Which watch events to pass on (MeshSync's per-type Events); default all. */
  forwards?: (event: ChangeEventType) => boolean;
  /** Waited on before each list and watch, and asked to check the cluster when a resourceVersion goes back. */
  gate?: ClusterGate;
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_MIN_WATCH_TIMEOUT_SECONDS = 300;
// kube-apiserver's watch cache sends a bookmark at least once a minute to watchers that allow them,
// so three silent minutes means a dead stream; reopening a quiet but live one costs one request.
const DEFAULT_STALL_TIMEOUT_MS = 180_000;
// A watch that closes cleanly this fast without a single event is a server refusing to watch.
const INSTANT_CLOSE_MS = 1_000;
// A server ends a watch at the timeoutSeconds it was asked for. One that ends it well before is
// shutting down or being restarted (kube-apiserver closes its watches on the way out), and what
// answers the next request may be another server: worth asking who it is before going on.
const EARLY_END_FRACTION = 0.9;

/** A watch event or bookmark older than the stream's resourceVersion. */
class ResourceVersionWentBack extends Error {
  override name = "ResourceVersionWentBack";
}

const openGate: ClusterGate = {
  available: async () => {},
  verify: async () => {},
};

export class Reflector {
  readonly cluster: ClusterRef;
  readonly type: ResourceType;
  readonly typeName: string;
  /** Resolves once the first list has reached the sink. */
  readonly synced: Promise<void>;
  /**
   * Resolves once the type has synced or the server has refused to list it (403): either way,
   * waiting longer for it will not make the picture more complete.
   */
  readonly settled: Promise<void>;

  private readonly lw: ListerWatcher;
  private readonly sink: ResourceEventSink;
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly minWatchTimeoutSeconds: number;
  private readonly stallTimeoutMs: number;
  private readonly backoff: Backoff;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly forwards: (event: ChangeEventType) => boolean;
  private readonly gate: ClusterGate;

  private readonly stopController = new AbortController();
  private cycle = new AbortController();
  private running: Promise<void> | undefined;
  private markSynced: () => void = () => {};
  private markSettled: () => void = () => {};
  private relistRequested = false;
  private stalled = false;
  /** Whether a watch has delivered anything since the last list. */
  private progressSinceList = true;
  /** Whether the current watch request has been answered (its failures then come from the stream). */
  private watchOpened = false;
  /** InternalError re-watches in a row, with nothing delivered in between. */
  private internalErrorRetries = 0;

  /** Objects of the type as the last list and the watch events since then count them. */
  private objectCount = 0;
  /** Objects the list under way has received so far. */
  private listedSoFar = 0;

  private phase: SyncPhase = "listing";
  private lastError: string | undefined;
  /** The failure last logged at warn: the same one again (a 403 retried for hours) goes to debug. */
  private lastWarned: string | undefined;
  private resourceVersion = "";
  private lastEventTime: string | undefined;
  private lists = 0;
  private watchCount = 0;
  private stallCount = 0;
  private hasSynced = false;
  /** The last list was refused with 403 before the type ever synced (RBAC that leaves it out). */
  private forbidden = false;

  constructor(options: ReflectorOptions) {
    this.cluster = options.cluster;
    this.type = options.type;
    this.typeName = resourceTypeName(options.type);
    this.lw = options.listerWatcher;
    this.sink = options.sink;
    this.logger = options.logger;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_SECONDS;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? new Backoff({ random: this.random });
    this.sleep = options.sleep ?? realSleep;
    this.forwards = options.forwards ?? (() => true);
    this.gate = options.gate ?? openGate;
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
    this.settled = new Promise((resolve) => {
      this.markSettled = resolve;
    });
  }

  /** Starts the list/watch loop; it runs until stop(). */
  start(): void {
    if (this.running || this.stopController.signal.aborted) return;
    this.running = this.loop().catch((error: unknown) => {
      // The loop catches everything itself; reaching here is a bug worth shouting about.
      this.logger.error(
        { ...this.logContext(), error: errorText(error) },
        "reflector loop ended unexpectedly",
      );
    });
  }

  /** Closes the stream and any pending wait; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.cycle.abort();
    this.phase = "stopped";
    await this.running;
  }

  /** Lists again now (the sink's replace reconciles), e.g. on a resync request. */
  relist(): void {
    this.relistRequested = true;
    this.cycle.abort();
  }

  get relistCount(): number {
    return Math.max(0, this.lists - 1);
  }

  status(): TypeSyncStatus {
    return {
      clusterId: this.cluster.id,
      typeName: this.typeName,
      resourceType: this.type,
      phase: this.phase,
      error: this.lastError,
      objectCount: this.objectCount,
      lastEventTime: this.lastEventTime,
      resourceVersion: this.resourceVersion,
      relistCount: this.relistCount,
      watchCount: this.watchCount,
      stallCount: this.stallCount,
      skippedCount: this.lw.skipped ?? 0,
      hasSynced: this.hasSynced,
      forbidden: this.forbidden,
    };
  }

  /**
   * What this type adds to the first sync's progress: until its first list is complete, the pages
   * that list has brought so far; after, what it holds.
   */
  progress(): TypeProgress {
    return {
      synced: this.hasSynced,
      forbidden: this.forbidden && !this.hasSynced,
      objects: this.hasSynced ? this.objectCount : this.listedSoFar,
    };
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async loop(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      // stop() aborts the current cycle too, so one signal covers both (AbortSignal.any would pile
      // up dependents on the stop signal over a long run).
      this.cycle = new AbortController();
      // A stall belongs to the cycle whose watch it cut; when a relist request ended that cycle
      // first, the flag must not brand the next watch's clean end as another stall.
      this.stalled = false;
      const signal = this.cycle.signal;
      try {
        await this.gate.available(signal);
        if (needList || this.relistRequested) {
          this.relistRequested = false;
          needList = true;
          await this.listAndReplace(signal);
          needList = false;
        }
        await this.watchOnce(signal);
      } catch (error) {
        if (this.stopped) break;
        if (this.relistRequested) continue;
        if (this.stalled) {
          this.stalled = false;
          this.stallCount += 1;
          this.logger.warn(this.logContext(), "watch stream silent past its deadline; reopening it");
          continue;
        }
        if (error instanceof ResourceVersionWentBack) {
          needList = true;
          await this.gate.verify(error.message, signal).catch(() => {});
          // Checked: the list that follows is this cluster's, however far back it is.
          this.resourceVersion = "";
          // A server that goes back again straight after a fresh list would otherwise be relisted in a loop.
          if (!this.progressSinceList && !signal.aborted) await this.backOff(error, signal);
          continue;
        }
        if (needList) {
          // The list itself failed: nothing to do but wait and list again.
          await this.backOff(error, signal);
          continue;
        }
        needList = await this.recoverFromWatch(error, signal);
      }
    }
    this.phase = "stopped";
  }

  /** Waits as the failure calls for; true when the next step is a list rather than another watch. */
  private async recoverFromWatch(error: unknown, signal: AbortSignal): Promise<boolean> {
    const context = { opened: this.watchOpened, internalErrorRetries: this.internalErrorRetries };
    const kind = classifyWatchFailure(error, context);
    const recovery = watchRecovery(kind, context);
    if (recovery === "relist") {
      this.logger.info(
        { ...this.logContext(), error: errorText(error) },
        "resourceVersion unusable to watch from; relisting",
      );
      // A server that answers 410 straight after a fresh list would otherwise get relisted in a loop.
      if (!this.progressSinceList) await this.backOff(error, signal);
      return true;
    }
    if (kind === "internal-error" && recovery === "rewatch") this.internalErrorRetries += 1;
    await this.backOff(error, signal);
    return recovery === "relist-after-wait";
  }

  /**
   * Lists the type and hands it to the sink page by page, as upserts, then tells it which objects the
   * list held (retain), so it drops the rest. Each page is stored and let go before the next arrives:
   * at 150,000 pods, holding every decoded page until the last one doubled the memory a sync needs.
   */
  private async listAndReplace(signal: AbortSignal): Promise<void> {
    this.phase = "listing";
    let listed = new Set<string>();
    const list = await streamAll(
      this.lw,
      this.pageSize,
      async (page, firstOfAttempt) => {
        if (firstOfAttempt) {
          // A pass that expired midway starts again: only the one that completes says what is held.
          listed = new Set();
          await this.checkListedCluster(page.resourceVersion, signal);
        }
        if (signal.aborted) throw new Error("list interrupted");
        for (const object of page.items) {
          listed.add(object.metadata?.uid ?? "");
          this.deliver(() => this.sink.upsert(this.cluster, this.type, object));
        }
      },
      signal,
      undefined,
      (objects) => {
        this.listedSoFar = objects;
      },
    );
    if (signal.aborted) throw new Error("list interrupted");
    this.lists += 1;
    this.progressSinceList = false;
    this.internalErrorRetries = 0;
    this.objectCount = list.objects;
    this.resourceVersion = list.resourceVersion;
    const held: ReadonlySet<string> = listed;
    this.deliver(() => this.sink.retain(this.cluster, this.type, held));
    this.forbidden = false;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.markSynced();
      this.markSettled();
    }
    this.logger.debug({ ...this.logContext(), objects: list.objects, pages: list.pages }, "listed");
  }

  /**
   * A list behind the resourceVersion already reached is held back until the cluster is known to be
   * the one listed before: another one's objects must not reach the sink under this cluster's name.
   */
  private async checkListedCluster(resourceVersion: string, signal: AbortSignal): Promise<void> {
    if (this.resourceVersion === "" || !wentBackwards(this.resourceVersion, resourceVersion)) return;
    this.logger.debug(
      { ...this.logContext(), from: this.resourceVersion, to: resourceVersion },
      "list resourceVersion went backwards",
    );
    await this.gate.verify(
      `${this.typeName} listed at resourceVersion ${resourceVersion}, behind ${this.resourceVersion}`,
      signal,
    );
    if (signal.aborted) throw new Error("list interrupted");
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = Math.floor(this.minWatchTimeoutSeconds * (1 + this.random()));
    // Armed before the request, so a server that accepts the connection and never answers is caught too.
    const cycle = this.cycle;
    const watchdog = new Watchdog(this.stallTimeoutMs, () => {
      this.stalled = true;
      cycle.abort();
    });
    let stream: WatchStream | undefined;
    const closeOnAbort = () => stream?.close();
    signal.addEventListener("abort", closeOnAbort, { once: true });
    this.watchOpened = false;
    try {
      stream = await this.lw.watch({ resourceVersion: this.resourceVersion, timeoutSeconds, signal });
      this.watchOpened = true;
      if (signal.aborted) stream.close(); // aborted while the watch was opening
      watchdog.feed();
      const openedAt = Date.now();
      let events = 0;
      this.watchCount += 1;
      this.phase = "watching";
      this.lastError = undefined;
      this.lastWarned = undefined;
      this.backoff.markHealthy();
      for await (const event of stream) {
        watchdog.feed();
        events += 1;
        this.handle(event);
        // Only after handle: an ERROR or a resourceVersion that went back is no progress.
        this.progressSinceList = true;
        this.internalErrorRetries = 0;
        if (signal.aborted) break;
      }
      if (this.stalled) throw new Error("watch stalled");
      if (signal.aborted) throw new Error("watch interrupted");
      const lastedMs = Date.now() - openedAt;
      if (lastedMs < timeoutSeconds * 1000 * EARLY_END_FRACTION) {
        // The stream is over: waiting for the check is not a stall, however long the cluster is away.
        watchdog.cancel();
        await this.gate.verify(
          `${this.typeName} watch ended after ${lastedMs} ms of the ${timeoutSeconds} s asked for`,
          signal,
        );
      }
      if (events === 0 && lastedMs < INSTANT_CLOSE_MS) {
        throw new ShortWatchError("watch closed as soon as it opened");
      }
    } finally {
      watchdog.cancel();
      signal.removeEventListener("abort", closeOnAbort);
      stream?.close();
    }
  }

  private handle(event: WatchEvent): void {
    if (event.type === "ERROR") throw watchErrorOf(event);
    const rv = event.object.metadata?.resourceVersion;
    if (rv && wentBackwards(this.resourceVersion, rv)) {
      throw new ResourceVersionWentBack(
        `${this.typeName} watch sent ${event.type} at resourceVersion ${rv}, behind ${this.resourceVersion}`,
      );
    }
    if (rv) this.resourceVersion = rv;
    if (event.type === "BOOKMARK") return;
    this.lastEventTime = new Date().toISOString();
    const object = event.object;
    if (event.type === "DELETED") {
      this.objectCount = Math.max(0, this.objectCount - 1);
      if (this.forwards("DELETED")) this.deliver(() => this.sink.delete(this.cluster, this.type, object));
      return;
    }
    if (event.type === "ADDED") this.objectCount += 1;
    if (this.forwards(event.type)) this.deliver(() => this.sink.upsert(this.cluster, this.type, object));
  }

  /** A consumer that throws must not take the reflector down with it. */
  private deliver(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.error(
        { ...this.logContext(), error: errorText(error) },
        "resource sink failed on an event",
      );
    }
  }

  private async backOff(error: unknown, signal: AbortSignal): Promise<void> {
    const delay = this.backoff.next(retryAfterMs(error));
    this.lastError = errorText(error);
    this.phase = isLikelyPermanent(error) ? "error" : "backoff";
    if (!this.hasSynced && error instanceof KubeApiError && error.status === 403) {
      this.forbidden = true;
      this.markSettled();
    }
    // A cluster that does not answer is one event, logged once by its gate; each type's share of it
    // stays in its status.
    // A failure that repeats itself is said once; its status keeps saying it.
    const repeated = this.lastError === this.lastWarned;
    const level = isTransportFailure(error) || repeated ? "debug" : "warn";
    if (level === "warn") this.lastWarned = this.lastError;
    this.logger[level](
      { ...this.logContext(), error: this.lastError, retryInMs: Math.round(delay) },
      "list/watch failed; retrying",
    );
    await this.sleep(delay, signal);
  }

  private logContext(): { cluster: string; type: string } {
    return { cluster: this.cluster.name, type: this.typeName };
  }
}

/** Failures that retrying will not fix without someone acting (RBAC, a type that went away). */
function isLikelyPermanent(error: unknown): boolean {
  return error instanceof KubeApiError && [401, 403, 404].includes(error.status);
}

/** Fires once if not fed within the deadline. */
class Watchdog {
  private readonly timer: NodeJS.Timeout;

  constructor(deadlineMs: number, onSilence: () => void) {
    this.timer = setTimeout(onSilence, deadlineMs);
  }

  feed(): void {
    this.timer.refresh();
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
