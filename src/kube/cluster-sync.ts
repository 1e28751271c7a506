// Everything the engine does for one cluster: discover its resource types, keep one reflector per
// selected type, and keep that set current as CRDs and aggregated APIs come and go. Types are
// added and removed one by one; the reflectors of other types never notice. Its requests go
// through one ClusterContact, which tells whether the cluster answers and is still itself; when
// another cluster answers at its address, the owner (the engine) is told and replaces this sync.
import { setMaxListeners } from "node:events";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { ClusterContact, type ContactState } from "./cluster-contact.js";
import type { ClusterConnection } from "./connect.js";
import { type CrdTracker, crdTracker, isCrdType } from "./crd-tracker.js";
import { type DiscoveryResult, discoverResourceTypes } from "./discovery.js";
import { errorText } from "./errors.js";
import type { KubeRequester } from "./http-client.js";
import { HttpListerWatcher, type ListerWatcher } from "./list-watch.js";
import { type Logger, silentLogger } from "./logger.js";
import { readMeshSyncSelection } from "./meshsync-resource.js";
import { Reflector } from "./reflector.js";
import { wentBackwards } from "./resource-version.js";
import { Selection, type SelectionConfig } from "./selection.js";
import { realSleep, type Sleep } from "./sleep.js";
import type { ClusterProgress } from "./sync-progress.js";
import type { TypeSyncStatus } from "./sync-status.js";
import {
  apiVersionOf,
  type ClusterRef,
  type ResourceEventSink,
  type ResourceType,
  resourceTypeName,
  sameResourceShape,
} from "./types.js";

export interface ReflectorTuning {
  pageSize?: number;
  minWatchTimeoutSeconds?: number;
  stallTimeoutMs?: number;
  backoff?: BackoffOptions;
}

export interface ClusterSyncOptions {
  connection: ClusterConnection;
  sink: ResourceEventSink;
  logger?: Logger;
  /** Explicit selection; without one, the cluster's MeshSync resource, then the default. */
  selection?: SelectionConfig;
  /** Read meshery/meshery-meshsync when no explicit selection is given (default true). */
  useMeshSyncResource?: boolean;
  /** How often to rediscover, catching aggregated APIs that come and go; 0 turns it off. */
  discoveryRefreshMs?: number;
  /** CRD changes arrive in bursts (created, then established); rediscover once per burst. */
  crdSettleMs?: number;
  tuning?: ReflectorTuning;
  /** Where list/watch calls go; tests substitute their own. */
  listerWatcherFor?: (type: ResourceType) => ListerWatcher;
  discover?: (signal: AbortSignal) => Promise<DiscoveryResult>;
  sleep?: Sleep;
  /**
   * Told when the API server turns out to be another cluster (another kube-system uid). This sync
   * stops delivering at once; the owner stops it, drops its objects and syncs the new cluster.
   */
  onIdentityChange?: (sync: ClusterSync, next: ClusterRef) => void;
}

export interface ClusterSyncState {
  cluster: ClusterRef;
  discovered: boolean;
  discoveryError: string | undefined;
  lastDiscovery: string | undefined;
  /** Groups whose discovery failed last time; their types keep running as they were. */
  unavailableGroupVersions: string[];
  ready: boolean;
  /** Whether the API server answers, since when, and when it last did. */
  contact: ContactState;
}

const DEFAULT_DISCOVERY_REFRESH_MS = 60_000;
const DEFAULT_CRD_SETTLE_MS = 200;
// A new CRD can be established a moment before discovery serves it; look again a few times.
const CRD_CHASE_ATTEMPTS = 10;
const CRD_CHASE_DELAY_MS = 500;

export class ClusterSync {
  readonly cluster: ClusterRef;
  /** Resolves once discovery has run and every type then selected has finished its first list. */
  readonly ready: Promise<void>;

  private readonly options: ClusterSyncOptions;
  private readonly logger: Logger;
  private readonly sleep: Sleep;
  private readonly reflectors = new Map<string, Reflector>();
  private readonly stopController = new AbortController();
  private readonly crds: CrdTracker;
  private readonly contact: ClusterContact;
  private selection = new Selection();
  /** The MeshSync resource's selection last applied, to notice edits; "{}" is the default. */
  private selectionKey = "{}";
  private markReady: () => void = () => {};
  private running: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private crdTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private crdChases = 0;
  private initialTypesApplied = false;
  private typesChanged = deferred();
  private readonly stopPromise: Promise<void>;
  private state: Omit<ClusterSyncState, "cluster" | "ready" | "contact"> = {
    discovered: false,
    discoveryError: undefined,
    lastDiscovery: undefined,
    unavailableGroupVersions: [],
  };

  constructor(options: ClusterSyncOptions) {
    this.options = options;
    this.cluster = options.connection.ref;
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? realSleep;
    this.crds = crdTracker(() => this.scheduleCrdRefresh());
    this.contact = new ClusterContact({
      client: options.connection.client,
      clusterId: this.cluster.id,
      clusterName: this.cluster.name,
      logger: this.logger,
      sleep: this.sleep,
      ...(options.tuning?.backoff ? { backoff: new Backoff(options.tuning.backoff) } : {}),
      onIdentityChange: (nextId) =>
        this.options.onIdentityChange?.(this, { id: nextId, name: this.cluster.name }),
      onVerified: (current) => this.relistTypesAhead(current),
    });
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    // Discovery reads every group at once, each request listening for stop.
    setMaxListeners(0, this.stopController.signal);
    this.stopPromise = new Promise((resolve) =>
      this.stopController.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.firstSync().catch((error: unknown) => {
      this.logger.error(
        { cluster: this.cluster.name, error: errorText(error) },
        "cluster sync failed to start",
      );
    });
  }

  /** How this sync reached its cluster; the engine reuses it for the cluster that replaces this one. */
  get connection(): ClusterConnection {
    return this.options.connection;
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    clearTimeout(this.refreshTimer);
    clearTimeout(this.crdTimer);
    await this.running;
    await this.refreshing;
    await Promise.all([...this.reflectors.values()].map((reflector) => reflector.stop()));
    await this.contact.stop();
  }

  isReady(): boolean {
    return (
      this.state.discovered &&
      [...this.reflectors.values()].every((reflector) => {
        const status = reflector.status();
        return status.hasSynced || status.forbidden;
      })
    );
  }

  /** The types being watched now. */
  resourceTypes(): ResourceType[] {
    return [...this.reflectors.values()].map((reflector) => reflector.type);
  }

  status(): TypeSyncStatus[] {
    return [...this.reflectors.values()].map((reflector) => reflector.status());
  }

  /** The types discovery has found so far, and how far each one's first list has come. */
  progress(): ClusterProgress {
    return {
      discovered: this.state.discovered,
      types: [...this.reflectors.values()].map((reflector) => reflector.progress()),
    };
  }

  reflectorFor(typeName: string): Reflector | undefined {
    return this.reflectors.get(typeName);
  }

  clusterState(): ClusterSyncState {
    return { ...this.state, cluster: this.cluster, ready: this.isReady(), contact: this.contact.state() };
  }

  /** The cluster's API client, for what is not a watch: pod logs and exec. */
  get client(): KubeRequester {
    return this.options.connection.client;
  }

  /** Rediscovers and relists every type (MeshSync's resync-discovery). */
  resync(): void {
    for (const reflector of this.reflectors.values()) reflector.relist();
    void this.refresh();
  }

  /** Rediscovers now; resolves when the set of reflectors matches what the server serves. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.discoverOnce().catch((error: unknown) => {
          if (this.stopped) return;
          this.state.discoveryError = errorText(error);
          // Until the first discovery works, firstSync reports each failure with its retry.
          if (!this.state.discovered) return;
          this.logger.warn(
            { cluster: this.cluster.name, error: errorText(error) },
            "discovery refresh failed",
          );
        });
      } while (this.refreshAgain && !this.stopped);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async firstSync(): Promise<void> {
    const signal = this.stopController.signal;
    void this.contact.readServerVersion(signal);
    const backoff = new Backoff(this.options.tuning?.backoff);
    // Through refresh(), like every later discovery, so a resync or CRD change during start-up
    // waits its turn instead of applying a result of its own alongside this one.
    while (!this.stopped) {
      await this.refresh();
      if (this.state.discovered || this.stopped) break;
      const delay = backoff.next();
      this.logger.warn(
        { cluster: this.cluster.name, error: this.state.discoveryError, retryInMs: Math.round(delay) },
        "discovery failed; retrying",
      );
      await this.sleep(delay, signal);
    }
    if (this.stopped) return;
    this.schedulePeriodicRefresh();
    // Wait for the types present now; when the set changes meanwhile, wait for the new set instead.
    while (!this.stopped && !this.isReady()) {
      const allSettled = Promise.all([...this.reflectors.values()].map((reflector) => reflector.settled));
      await Promise.race([allSettled, this.typesChanged.promise, this.stopPromise]);
    }
    if (!this.stopped) {
      const forbidden = this.status()
        .filter((status) => status.forbidden)
        .map((status) => status.typeName);
      this.logger.info({ cluster: this.cluster.name, types: this.reflectors.size }, "cluster synced");
      if (forbidden.length > 0) {
        this.logger.warn(
          { cluster: this.cluster.name, forbidden },
          "the credentials may not list these types; they are left out until that changes",
        );
      }
      this.markReady();
    }
  }

  /**
   * Takes the selection from the options, or else from the cluster's MeshSync resource, re-read on
   * every discovery so edits to it apply without a restart. A failed read keeps what is in force.
   */
  private async updateSelection(signal: AbortSignal): Promise<void> {
    if (this.options.selection) {
      this.selection = new Selection(this.options.selection);
      return;
    }
    if (this.options.useMeshSyncResource === false) return;
    let config: SelectionConfig;
    try {
      config = (await readMeshSyncSelection(this.contact.requester, signal)) ?? {};
    } catch (error) {
      this.logger.warn(
        { cluster: this.cluster.name, error: errorText(error) },
        "cannot use the MeshSync resource's watch-list; keeping the current selection",
      );
      return;
    }
    const key = JSON.stringify(config);
    if (key === this.selectionKey) return;
    this.selection = new Selection(config);
    this.selectionKey = key;
    this.logger.info(
      { cluster: this.cluster.name, selection: config },
      "watch-list of meshery/meshery-meshsync in force",
    );
  }

  private async discoverOnce(): Promise<void> {
    const signal = this.stopController.signal;
    await this.contact.available(signal);
    // Each rediscovery also asks who the server is: a cluster swapped while every watch stayed
    // quiet (a watch from a resourceVersion the new server has not reached is silent) shows here.
    if (this.state.discovered) await this.contact.checkIdentity(signal);
    await this.contact.available(signal);
    await this.updateSelection(signal);
    const discover = this.options.discover ?? ((s) => discoverResourceTypes(this.contact.requester, s));
    const result = await discover(signal);
    if (this.stopped) return;
    this.state.discovered = true;
    this.state.discoveryError = undefined;
    this.state.lastDiscovery = new Date().toISOString();
    this.state.unavailableGroupVersions = result.failed.map((failure) => failure.groupVersion);
    for (const failure of result.failed) {
      this.logger.warn(
        { cluster: this.cluster.name, groupVersion: failure.groupVersion, error: failure.error },
        "group unavailable in discovery; keeping its current watches",
      );
    }
    await this.applyTypes(result);
    this.initialTypesApplied = true;
    this.chaseMissingCrds(result.types);
  }

  /**
   * Starts reflectors for new selected types, stops those for types the server no longer serves,
   * and replaces those whose type came back under the same name in another shape.
   */
  private async applyTypes(result: DiscoveryResult): Promise<void> {
    const unavailable = new Set(result.failed.map((failure) => failure.groupVersion));
    const wanted = new Map<string, ResourceType>();
    for (const type of result.types) {
      if (this.selection.includes(type)) wanted.set(resourceTypeName(type), type);
    }
    const removals: Promise<void>[] = [];
    for (const [name, reflector] of this.reflectors) {
      const served = wanted.get(name);
      if (
        served ? sameResourceShape(served, reflector.type) : unavailable.has(apiVersionOf(reflector.type))
      ) {
        continue;
      }
      if (served) {
        this.logger.info(
          { cluster: this.cluster.name, type: name, kind: served.kind, namespaced: served.namespaced },
          "resource type re-created in another shape; watching it afresh",
        );
      }
      this.reflectors.delete(name);
      removals.push(this.removeType(reflector));
    }
    // Removals finish first: when a CRD moves to a new version, the old type's empty replace must
    // reach the sink before the new type's list, or it would drop the objects the new one brings.
    await Promise.all(removals);
    let added = false;
    for (const [name, type] of wanted) {
      if (!this.reflectors.has(name) && !this.stopped) {
        this.addType(type);
        added = true;
      }
    }
    if (added || removals.length > 0) {
      this.typesChanged.resolve();
      this.typesChanged = deferred();
    }
  }

  private addType(type: ResourceType): void {
    const name = resourceTypeName(type);
    const tuning = this.options.tuning ?? {};
    const sink = isCrdType(type) ? this.crds.wrap(this.options.sink) : this.options.sink;
    const reflector = new Reflector({
      cluster: this.cluster,
      type,
      listerWatcher:
        this.options.listerWatcherFor?.(type) ??
        new HttpListerWatcher(this.contact.requester, type, this.logger),
      sink,
      logger: this.logger,
      pageSize: tuning.pageSize,
      minWatchTimeoutSeconds: tuning.minWatchTimeoutSeconds,
      stallTimeoutMs: tuning.stallTimeoutMs,
      backoff: new Backoff(tuning.backoff),
      sleep: this.sleep,
      gate: this.contact,
      // Looked up per event, so a changed watch-list applies to running reflectors too.
      forwards: (event) => this.selection.forwards(type)(event),
    });
    this.reflectors.set(name, reflector);
    reflector.start();
    if (this.initialTypesApplied) {
      this.logger.info({ cluster: this.cluster.name, type: name }, "watching a new resource type");
    }
  }

  /** The type is gone from the server, and so are its objects: tell the sink. */
  private async removeType(reflector: Reflector): Promise<void> {
    await reflector.stop();
    try {
      this.options.sink.retain(this.cluster, reflector.type, new Set());
    } catch (error) {
      this.logger.error(
        { cluster: this.cluster.name, error: errorText(error) },
        "resource sink failed on a removal",
      );
    }
    this.logger.info(
      { cluster: this.cluster.name, type: reflector.typeName },
      "stopped watching a removed resource type",
    );
  }

  /**
   * After the cluster answered as itself again: a type whose resourceVersion is ahead of the
   * cluster's own (restored from a backup, say) would watch in silence until the cluster caught up,
   * missing all in between; it lists again instead.
   */
  private relistTypesAhead(current: string | undefined): void {
    if (current === undefined) return;
    for (const reflector of this.reflectors.values()) {
      const { resourceVersion, phase } = reflector.status();
      // One that is listing gets the cluster as it is now anyway (and compares it itself).
      if (phase === "listing") continue;
      if (resourceVersion !== "" && wentBackwards(resourceVersion, current)) {
        this.logger.info(
          {
            cluster: this.cluster.name,
            type: reflector.typeName,
            typeAt: resourceVersion,
            clusterAt: current,
          },
          "the cluster is behind this type's resourceVersion; relisting",
        );
        reflector.relist();
      }
    }
  }

  private schedulePeriodicRefresh(): void {
    const every = this.options.discoveryRefreshMs ?? DEFAULT_DISCOVERY_REFRESH_MS;
    if (every <= 0 || this.stopped) return;
    this.refreshTimer = setTimeout(() => {
      void this.refresh().finally(() => this.schedulePeriodicRefresh());
    }, every);
  }

  private scheduleCrdRefresh(delayMs = this.options.crdSettleMs ?? DEFAULT_CRD_SETTLE_MS): void {
    if (this.stopped || !this.state.discovered) return;
    clearTimeout(this.crdTimer);
    this.crdTimer = setTimeout(() => void this.refresh(), delayMs);
  }

  /** Established CRDs whose type discovery does not show yet get another look shortly. */
  private chaseMissingCrds(discovered: ResourceType[]): void {
    const served = new Set(discovered.map((type) => `${type.resource}.${type.group}`));
    const missing = this.crds.establishedNames().filter((name) => !served.has(name));
    if (missing.length === 0) {
      this.crdChases = 0;
      return;
    }
    if (this.crdChases >= CRD_CHASE_ATTEMPTS) return;
    this.crdChases += 1;
    this.scheduleCrdRefresh(CRD_CHASE_DELAY_MS);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
