// How each watched type syncs, as a feed of changes: the engine's status is read a few times a second
// while someone listens, and a type's TypeSync enters the feed when what a client acts on changed (phase,
// synced, error, forbidden and the relist, watch, stall and skip counters), or when only its object
// count did, at most once a second per type.
import { randomBytes } from "node:crypto";
import type { TypeSyncStatus } from "../kube/index.js";
import {
  type FanoutEvent,
  type ResumePoint,
  type SequencedFeed,
  SharedSubscription,
} from "./fanout-source.js";

export interface TypeSyncChange {
  readonly sequence: number;
  readonly status: TypeSyncStatus;
}

export interface SyncStatusFeedOptions {
  /** How often the engine's status is read while the feed has listeners. */
  pollMs?: number;
  /** The least time between two entries of one type that differ only in its object count. */
  countEveryMs?: number;
  /** Entries kept for changeAt. */
  retained?: number;
  now?: () => number;
}

const defaultPollMs = 100;
const defaultCountEveryMs = 1000;
const defaultRetained = 1024;

function keyOf(status: TypeSyncStatus): string {
  return `${status.clusterId}|${status.typeName}`;
}

/** Whether a client that acts on sync status would act differently. */
function changedMuch(a: TypeSyncStatus, b: TypeSyncStatus): boolean {
  return (
    a.phase !== b.phase ||
    a.hasSynced !== b.hasSynced ||
    a.error !== b.error ||
    a.forbidden !== b.forbidden ||
    a.relistCount !== b.relistCount ||
    a.watchCount !== b.watchCount ||
    a.stallCount !== b.stallCount ||
    a.skippedCount !== b.skippedCount
  );
}

interface Latest {
  change: TypeSyncChange;
  /** When this type last entered the feed. */
  at: number;
}

export class SyncStatusFeed implements SequencedFeed<TypeSyncChange> {
  private readonly epoch = randomBytes(6).toString("hex");
  private readonly listeners = new Set<(change: TypeSyncChange) => void>();
  private readonly latest = new Map<string, Latest>();
  private readonly ring: (TypeSyncChange | undefined)[];
  private readonly pollMs: number;
  private readonly countEveryMs: number;
  private readonly now: () => number;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => readonly TypeSyncStatus[],
    options: SyncStatusFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? defaultPollMs;
    this.countEveryMs = options.countEveryMs ?? defaultCountEveryMs;
    this.now = options.now ?? Date.now;
    this.ring = new Array<TypeSyncChange | undefined>(options.retained ?? defaultRetained);
  }

  get sequence(): number {
    return this.last;
  }

  cursor(sequence = this.last): string {
    return `${this.epoch}:${sequence}`;
  }

  parseCursor(text: string): number | undefined {
    const [epoch, digits] = text.split(":");
    return epoch === this.epoch && digits !== undefined && /^\d{1,15}$/.test(digits)
      ? Number(digits)
      : undefined;
  }

  changeAt(sequence: number): TypeSyncChange | undefined {
    const change = this.ring[sequence % this.ring.length];
    return change?.sequence === sequence ? change : undefined;
  }

  /** Listening starts the reads of the engine's status; the last listener to leave stops them. */
  subscribe(listener: (change: TypeSyncChange) => void): () => void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.poll();
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0 || this.timer === undefined) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  /**
   * Each type's last entry at or before `at`: what a subscriber that joined at `at` is sent first. A type
   * whose last entry is later is left out; that entry reaches the subscriber after.
   */
  statusesAt(at: number): TypeSyncStatus[] {
    const out: TypeSyncStatus[] = [];
    for (const { change } of this.latest.values()) if (change.sequence <= at) out.push(change.status);
    return out;
  }

  /** Reads the engine's status now and commits what changed. */
  poll(): void {
    const now = this.now();
    const present = new Set<string>();
    for (const status of this.read()) {
      const key = keyOf(status);
      present.add(key);
      const known = this.latest.get(key);
      if (known !== undefined) {
        const before = known.change.status;
        const countOnly = !changedMuch(before, status) && before.objectCount !== status.objectCount;
        if (!changedMuch(before, status) && !countOnly) continue;
        if (countOnly && now - known.at < this.countEveryMs) continue;
      }
      this.append(key, status, now);
    }
    // A type no longer watched leaves; a client learns it from Query.syncStatus.
    for (const key of this.latest.keys()) if (!present.has(key)) this.latest.delete(key);
  }

  private append(key: string, status: TypeSyncStatus, now: number): void {
    const change: TypeSyncChange = { sequence: ++this.last, status };
    this.ring[change.sequence % this.ring.length] = change;
    this.latest.set(key, { change, at: now });
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

/** Subscription.syncStatus for the fan-out: each member first gets every type's status, then changes. */
export class SyncStatusSubscription
  extends SharedSubscription<TypeSyncChange>
  implements AsyncIterable<TypeSyncStatus>
{
  readonly evaluations = 0;

  constructor(
    readonly feed: SyncStatusFeed,
    private readonly clusterIds: ReadonlySet<string> | undefined,
    readonly capacity: number,
  ) {
    super();
  }

  /** Caught up first: the statuses as they are now, read in the turn it joins. */
  start(): ResumePoint {
    this.feed.poll();
    return { kind: "resync", at: this.feed.sequence };
  }

  project(change: TypeSyncChange): FanoutEvent | undefined {
    if (!this.wanted(change.status)) return undefined;
    return { root: change.status, key: keyOf(change.status) };
  }

  catchUp(at: number): readonly TypeSyncStatus[] {
    return this.feed.statusesAt(at).filter((status) => this.wanted(status));
  }

  private wanted(status: TypeSyncStatus): boolean {
    return this.clusterIds === undefined || this.clusterIds.has(status.clusterId);
  }

  /** Outside the fan-out (a server that runs subscriptions itself): the same stream, one reader. */
  async *[Symbol.asyncIterator](): AsyncIterator<TypeSyncStatus> {
    const queue: TypeSyncStatus[] = [];
    let wake: (() => void) | undefined;
    const stop = this.feed.subscribe((change) => {
      const event = this.project(change);
      if (event === undefined) return;
      // Past its bound the reader is caught up afresh, as a fan-out member is.
      if (queue.length >= this.capacity) queue.splice(0, queue.length, ...this.catchUp(change.sequence));
      else queue.push(change.status);
      wake?.();
    });
    try {
      const start = this.start();
      // What the start's read queued is in the catch-up already.
      if (start.kind === "resync") queue.splice(0, queue.length, ...this.catchUp(start.at));
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        wake = undefined;
      }
    } finally {
      stop();
    }
  }
}
