import { randomBytes } from "node:crypto";
import type { ResourceChange } from "./types.js";

export type ChangeListener = (change: ResourceChange) => void;

/**
 * The ordered record of every committed change. Sequences start at 1 and grow by one; a bounded ring
 * keeps the most recent ones so that a subscriber that reconnects with a cursor can resume without a
 * gap. Cursors carry this process's epoch, so one from an earlier process is recognised as foreign
 * instead of being mistaken for a position in this log.
 */
export class ChangeLog {
  readonly epoch: string;
  readonly capacity: number;
  private readonly ring: (ResourceChange | undefined)[];
  private last = 0;
  private readonly listeners = new Set<ChangeListener>();

  constructor(capacity = 100_000, epoch = randomBytes(6).toString("hex")) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("change log capacity must be a positive integer");
    this.capacity = capacity;
    this.epoch = epoch;
    this.ring = new Array<ResourceChange | undefined>(capacity);
  }

  /** The sequence of the last committed change; 0 before the first. */
  get sequence(): number {
    return this.last;
  }

  /** The oldest sequence still retained (`sequence + 1` when nothing is). */
  get oldestRetained(): number {
    return Math.max(1, this.last - this.capacity + 1);
  }

  append(
    type: ResourceChange["type"],
    resource: ResourceChange["resource"],
    previous?: ResourceChange["previous"],
  ): ResourceChange {
    const change: ResourceChange =
      previous === undefined
        ? { sequence: this.last + 1, type, resource }
        : { sequence: this.last + 1, type, resource, previous };
    this.last = change.sequence;
    this.ring[change.sequence % this.capacity] = change;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the log and the other listeners go on.
      }
    }
    return change;
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
    if (sequence < this.oldestRetained || sequence > this.last) return undefined;
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
