import { randomBytes } from "node:crypto";
import { mapTextLength } from "./compact.js";
import type { ChangeType, ResourceChange, StoredResource } from "./types.js";

export type ChangeListener = (change: ResourceChange) => void;

/** What the retained window may keep alive by default, in bytes of heap (retainedBytesOf and heapSize). */
export const defaultRetainedChangeBytes = 64 * 1024 * 1024;

/**
 * The most changes the window holds whatever their bytes: a safety bound only. The byte budget stops
 * the window long before (at 64 MiB, about half a million changes of objects that are still current).
 */
export const defaultMaxRetainedChanges = 5_000_000;

/**
 * Heap one change record holds: the ResourceChange object (its fields and the boxed number of its
 * time), its slot in the log (a reference, its charge and the sequence of its object's previous change)
 * and its version's entry among the carriers. bench/change-window.bench.ts measures 114 on Node 20.
 */
export const changeRecordBytes = 120;

/**
 * Heap a FilterView adds to its change besides its maps (its ten fields, and the change's field that
 * holds it): measured beside changeRecordBytes at 96 on Node 20 with seven fields, and three more
 * references (uid, annotations, ownerReferences) take 24 more.
 */
export const filterViewBytes = 120;

/** Heap of a change's relation delta besides its edges: the object and its two arrays. */
const relationDeltaBytes = 64;

/**
 * Heap of one edge a change records: the EdgeChange (its type is a shared rule string) and its slot,
 * and the keys of its ends, which outlive them once they are deleted.
 */
const edgeChangeBytes = 96;

/** Changes per chunk of the log's storage: the window grows and shrinks by whole chunks. */
const chunkSize = 1024;

/**
 * Bytes a change alone keeps alive while it is retained, besides the superseded version it may carry
 * (charged when the version is superseded): its record, and the view of the state it replaced, whose
 * label and field maps outlive that state's own change. Whatever else a change comes to carry is
 * charged here, so the budget bounds all of it.
 */
export function retainedBytesOf(change: ResourceChange): number {
  const { previous, relations } = change;
  let bytes = changeRecordBytes;
  if (previous !== undefined)
    bytes +=
      filterViewBytes +
      mapTextLength(previous.labels) +
      mapTextLength(previous.fields) +
      // Shared with the new version when unchanged (compact.ts reuses it); else only the view holds it.
      (previous.annotations === change.resource.annotations ? 0 : mapTextLength(previous.annotations));
  if (relations !== undefined)
    bytes += relationDeltaBytes + (relations.added.length + relations.removed.length) * edgeChangeBytes;
  return bytes;
}

export interface ChangeLogOptions {
  /** Bytes the retained window may keep alive: each change's retainedBytesOf and the versions only it holds. */
  maxRetainedBytes?: number | undefined;
  /** The most changes retained whatever their bytes (a safety bound). */
  maxChanges?: number | undefined;
  /** Names this process's log in its cursors; random unless given. */
  epoch?: string | undefined;
  /** The clock changes are stamped with, in epoch milliseconds. */
  now?: (() => number) | undefined;
}

/** A run of consecutive retained changes, so that the window's storage follows its length. */
interface Chunk {
  readonly changes: (ResourceChange | undefined)[];
  /** Per change: the bytes it is charged (retainedBytesOf, and superseded versions only it carries). */
  readonly charges: Float64Array;
  /** Per change: the sequence of the same object's change before it; 0 for none. */
  readonly priors: Float64Array;
}

function newChunk(): Chunk {
  return {
    changes: new Array<ResourceChange | undefined>(chunkSize).fill(undefined),
    charges: new Float64Array(chunkSize),
    priors: new Float64Array(chunkSize),
  };
}

/**
 * The ordered record of every committed change. Sequences start at 1 and grow by one; the most recent
 * ones are retained so that a subscriber that reconnects with a cursor can resume without a gap, and so
 * that the window can be read as a list (by sequence or by time) and one object's changes walked back.
 * Cursors carry this process's epoch, so one from an earlier process is recognised as foreign instead of
 * being mistaken for a position in this log.
 *
 * The window is bounded by bytes: each retained change is charged what it alone keeps alive (its record
 * and what retainedBytesOf counts), and a version once a later change supersedes it (or deletes the
 * object), since from then on only the change that carries it keeps it alive. When the charges pass the
 * budget the oldest changes leave first, so a quiet cluster's window reaches far back and churn cannot
 * hold more than the budget; a client that resumes from too far back gets RESYNC. The storage is a
 * list of fixed-size chunks, so memory follows the window's length. A count bound guards the rest.
 *
 * Every change carries its commit time; times never decrease along the log, even when the clock steps
 * back, so the window can be searched by time.
 */
export class ChangeLog {
  private currentEpoch: string;
  readonly maxChanges: number;
  readonly maxRetainedBytes: number;
  /** When the log began: changes before it are not known to this process. */
  readonly startedAt: number;
  private readonly clock: () => number;
  private readonly chunks: Chunk[] = [];
  /** The chunk number (sequence - 1 divided by chunkSize) of chunks[0]. */
  private firstChunk = 0;
  /** The change that carries each retained version, so a superseded version is charged to it. */
  private carriers = new WeakMap<StoredResource, number>();
  private last = 0;
  private oldest = 1;
  private chargedBytes = 0;
  private lastTime: number;
  /** The time of the newest change that has left the window; -Infinity while none has. */
  private lastEvictedTime = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<ChangeListener>();

  constructor(options: ChangeLogOptions = {}) {
    const maxChanges = options.maxChanges ?? defaultMaxRetainedChanges;
    const maxRetainedBytes = options.maxRetainedBytes ?? defaultRetainedChangeBytes;
    if (!Number.isInteger(maxChanges) || maxChanges < 1)
      throw new RangeError("change log count bound must be a positive integer");
    if (!(maxRetainedBytes > 0)) throw new RangeError("change log byte budget must be positive");
    this.maxChanges = maxChanges;
    this.maxRetainedBytes = maxRetainedBytes;
    this.currentEpoch = options.epoch ?? randomBytes(6).toString("hex");
    this.clock = options.now ?? Date.now;
    this.startedAt = this.clock();
    this.lastTime = this.startedAt;
  }

  /** What names this log in its cursors: a cursor with another epoch is foreign. */
  get epoch(): string {
    return this.currentEpoch;
  }

  /**
   * Renames the log and moves it to `sequence`, forgetting the window: the next change is
   * `sequence + 1`. A replica that loads its graph from a replication stream calls it once, after the
   * stream's snapshot and before anyone reads it, so that its sequences are the stream's own and every
   * replica fed from that stream hands out the same cursors. Refused while anyone listens: a listener
   * would see the sequences jump.
   */
  rebase(epoch: string, sequence: number): void {
    if (this.listeners.size > 0) throw new Error("change log rebased while it has listeners");
    if (!Number.isInteger(sequence) || sequence < 0)
      throw new RangeError("change log sequence must be a whole number");
    if (epoch.length === 0 || epoch.includes(":"))
      throw new RangeError("change log epoch must be non-empty and have no colon");
    this.currentEpoch = epoch;
    this.chunks.length = 0;
    this.firstChunk = 0;
    this.carriers = new WeakMap();
    this.chargedBytes = 0;
    this.last = sequence;
    this.oldest = sequence + 1;
    // Nothing before now is in the window: a read by time from before it is incomplete.
    this.lastEvictedTime = this.now();
  }

  /** The sequence of the last committed change; 0 before the first. */
  get sequence(): number {
    return this.last;
  }

  /** The oldest sequence still retained (`sequence + 1` when nothing is). */
  get oldestRetained(): number {
    return this.oldest;
  }

  /** How many changes the window holds. */
  get retainedChanges(): number {
    return this.last - this.oldest + 1;
  }

  /** The bytes the retained window is charged, as counted against maxRetainedBytes. */
  get retainedBytes(): number {
    return this.chargedBytes;
  }

  /** The time a change committed now would carry: the clock, but never before the last change. */
  now(): number {
    const time = this.clock();
    if (time > this.lastTime) this.lastTime = time;
    return this.lastTime;
  }

  /**
   * Commits a change. `superseded` is the version the graph held before it, which from now on only the
   * window keeps alive (for DELETED the resource itself may be that version); the change it came with
   * is the object's previous change in the window.
   */
  append(
    type: ChangeType,
    resource: StoredResource,
    previous?: ResourceChange["previous"],
    superseded?: StoredResource,
    relations?: ResourceChange["relations"],
  ): ResourceChange {
    const sequence = this.last + 1;
    if (sequence - this.maxChanges >= this.oldest) this.evictOldest();
    const time = this.now();
    const change: ResourceChange = {
      sequence,
      type,
      resource,
      time,
      ...(previous !== undefined ? { previous } : {}),
      ...(relations !== undefined ? { relations } : {}),
    };
    const prior = superseded === undefined ? undefined : this.carriers.get(superseded);
    this.store(sequence, change, prior ?? 0);
    if (type === "DELETED") this.hold(sequence, resource);
    this.carriers.set(resource, sequence);
    if (superseded !== undefined && superseded !== resource && prior !== undefined && prior >= this.oldest)
      this.hold(prior, superseded);
    while (this.chargedBytes > this.maxRetainedBytes && this.oldest < sequence) this.evictOldest();
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the log and the other listeners go on.
      }
    }
    return change;
  }

  private store(sequence: number, change: ResourceChange, prior: number): void {
    const index = sequence - 1;
    const chunkNumber = Math.floor(index / chunkSize);
    if (this.chunks.length === 0) this.firstChunk = chunkNumber;
    while (this.firstChunk + this.chunks.length <= chunkNumber) this.chunks.push(newChunk());
    const chunk = this.chunks[chunkNumber - this.firstChunk]!;
    const slot = index % chunkSize;
    const charge = retainedBytesOf(change);
    chunk.changes[slot] = change;
    chunk.charges[slot] = charge;
    chunk.priors[slot] = prior;
    this.chargedBytes += charge;
    this.last = sequence;
  }

  /** The chunk and slot of a retained sequence. */
  private locate(sequence: number): { chunk: Chunk; slot: number } | undefined {
    if (sequence < this.oldest || sequence > this.last) return undefined;
    const index = sequence - 1;
    const chunk = this.chunks[Math.floor(index / chunkSize) - this.firstChunk];
    return chunk === undefined ? undefined : { chunk, slot: index % chunkSize };
  }

  private hold(sequence: number, version: StoredResource): void {
    const at = this.locate(sequence);
    if (at === undefined) return;
    at.chunk.charges[at.slot]! += version.heapSize;
    this.chargedBytes += version.heapSize;
  }

  private evictOldest(): void {
    const at = this.locate(this.oldest);
    if (at !== undefined) {
      const { chunk, slot } = at;
      this.chargedBytes -= chunk.charges[slot]!;
      this.lastEvictedTime = chunk.changes[slot]?.time ?? this.lastEvictedTime;
      chunk.changes[slot] = undefined;
      chunk.charges[slot] = 0;
      if (slot === chunkSize - 1) {
        // The chunk's last change is gone: the whole chunk goes with it.
        this.chunks.shift();
        this.firstChunk += 1;
      }
    }
    this.oldest += 1;
  }

  /**
   * Every retained change after `sequence`, oldest first; undefined when some of them have already
   * left the window (the caller must resync) or when `sequence` is ahead of the log.
   */
  changesSince(sequence: number): ResourceChange[] | undefined {
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > this.last) return undefined;
    const out: ResourceChange[] = [];
    for (let s = sequence + 1; s <= this.last; s++) {
      const change = this.changeAt(s);
      if (change === undefined) return undefined;
      out.push(change);
    }
    return out;
  }

  /** The change with this sequence, or undefined when it has left the window or not happened yet. */
  changeAt(sequence: number): ResourceChange | undefined {
    const at = this.locate(sequence);
    return at?.chunk.changes[at.slot];
  }

  /**
   * The sequence of the first retained change at or after `time` (epoch ms), by binary search: times
   * never decrease along the log. `sequence + 1` when every retained change is older.
   */
  firstAtOrAfter(time: number): number {
    let low = this.oldest;
    let high = this.last + 1;
    while (low < high) {
      const middle = low + Math.floor((high - low) / 2);
      if (this.changeAt(middle)!.time < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Whether every change this process committed at or after `time` is still retained: false when the
   * log began after it, or a change at or after it has already left the window.
   */
  reachesBackTo(time: number): boolean {
    return time >= this.startedAt && this.lastEvictedTime < time;
  }

  /**
   * One object's changes in the window, newest first, at most `max`: from the change that carries
   * `version`, along each change's link to the object's change before it. Nothing is scanned.
   */
  historyOf(version: StoredResource, max: number): ResourceChange[] {
    const out: ResourceChange[] = [];
    let sequence = this.carriers.get(version) ?? 0;
    while (out.length < max) {
      const at = this.locate(sequence);
      const change = at?.chunk.changes[at.slot];
      // A sequence that has left the window, or that names another object's change: the walk ends.
      if (at === undefined || change === undefined || change.resource.key !== version.key) break;
      out.push(change);
      sequence = at.chunk.priors[at.slot]!;
    }
    return out;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  cursor(sequence = this.last): string {
    return `${this.epoch}:${sequence}`;
  }

  /** The sequence a cursor names, or undefined when it is malformed or from another epoch. */
  parseCursor(text: string): number | undefined {
    const colon = text.lastIndexOf(":");
    if (colon < 0 || text.slice(0, colon) !== this.epoch) return undefined;
    const digits = text.slice(colon + 1);
    if (!/^\d{1,15}$/.test(digits)) return undefined;
    return Number(digits);
  }
}
