import { randomBytes } from "node:crypto";
import type { ResourceChange, StoredResource } from "./types.js";

export type ChangeListener = (change: ResourceChange) => void;

/** Old versions the change log may keep alive by default, in bytes of heap (StoredResource.heapSize). */
export const defaultRetainedChangeBytes = 64 * 1024 * 1024;

/**
 * The ordered record of every committed change. Sequences start at 1 and grow by one; a bounded ring
 * keeps the most recent ones so that a subscriber that reconnects with a cursor can resume without a
 * gap. Cursors carry this process's epoch, so one from an earlier process is recognised as foreign
 * instead of being mistaken for a position in this log.
 *
 * The ring is bounded twice: by a number of changes, and by the bytes of the versions that only the
 * ring keeps alive. A change whose object is still the graph's current version costs nothing extra;
 * once a later change supersedes that version (or deletes the object), the ring alone holds it, and
 * its size counts until the change that carries it leaves. Under heavy churn the oldest changes go
 * first, so memory stays bounded and a client that resumes from too far back gets RESYNC.
 */
export class ChangeLog {
  readonly epoch: string;
  readonly capacity: number;
  readonly maxRetainedBytes: number;
  private readonly ring: (ResourceChange | undefined)[];
  /** Per slot: bytes of superseded versions that this slot's change alone keeps alive. */
  private readonly held: Float64Array;
  /** The change that carries each retained version, so a superseded version is charged to it. */
  private readonly carriers = new WeakMap<StoredResource, number>();
  private last = 0;
  private oldest = 1;
  private heldBytes = 0;
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    capacity = 100_000,
    epoch = randomBytes(6).toString("hex"),
    maxRetainedBytes = defaultRetainedChangeBytes,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("change log capacity must be a positive integer");
    if (!(maxRetainedBytes > 0)) throw new RangeError("change log byte bound must be positive");
    this.capacity = capacity;
    this.epoch = epoch;
    this.maxRetainedBytes = maxRetainedBytes;
    this.ring = new Array<ResourceChange | undefined>(capacity);
    this.held = new Float64Array(capacity);
  }

  /** The sequence of the last committed change; 0 before the first. */
  get sequence(): number {
    return this.last;
  }

  /** The oldest sequence still retained (`sequence + 1` when nothing is). */
  get oldestRetained(): number {
    return this.oldest;
  }

  /** Bytes of superseded versions the ring keeps alive, as counted against maxRetainedBytes. */
  get retainedBytes(): number {
    return this.heldBytes;
  }

  /**
   * Commits a change. `superseded` is the version the graph held before it, which from now on only the
   * ring keeps alive (for DELETED the resource itself may be that version).
   */
  append(
    type: ResourceChange["type"],
    resource: StoredResource,
    previous?: ResourceChange["previous"],
    superseded?: StoredResource,
    relations?: ResourceChange["relations"],
  ): ResourceChange {
    const sequence = this.last + 1;
    if (sequence - this.capacity >= this.oldest) this.evictOldest();
    const change: ResourceChange = {
      sequence,
      type,
      resource,
      ...(previous !== undefined ? { previous } : {}),
      ...(relations !== undefined ? { relations } : {}),
    };
    this.last = sequence;
    this.ring[sequence % this.capacity] = change;
    this.held[sequence % this.capacity] = 0;
    if (type === "DELETED") this.hold(sequence, resource);
    else this.carriers.set(resource, sequence);
    if (superseded !== undefined && superseded !== resource) {
      const carrier = this.carriers.get(superseded);
      if (carrier !== undefined && carrier >= this.oldest) this.hold(carrier, superseded);
    }
    while (this.heldBytes > this.maxRetainedBytes && this.oldest < sequence) this.evictOldest();
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the log and the other listeners go on.
      }
    }
    return change;
  }

  private hold(sequence: number, version: StoredResource): void {
    this.held[sequence % this.capacity]! += version.heapSize;
    this.heldBytes += version.heapSize;
  }

  private evictOldest(): void {
    const slot = this.oldest % this.capacity;
    this.heldBytes -= this.held[slot]!;
    this.held[slot] = 0;
    this.ring[slot] = undefined;
    this.oldest += 1;
  }

  /**
   * Every retained change after `sequence`, oldest first; undefined when some of them have already
   * left the ring (the caller must resync) or when `sequence` is ahead of the log.
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

  /** The change with this sequence, or undefined when it has left the ring or not happened yet. */
  changeAt(sequence: number): ResourceChange | undefined {
    if (sequence < this.oldest || sequence > this.last) return undefined;
    const change = this.ring[sequence % this.capacity];
    return change?.sequence === sequence ? change : undefined;
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
