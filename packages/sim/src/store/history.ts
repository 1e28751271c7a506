// The bounded window of past changes that a watch can resume from, like etcd's compacted log: a
// watch from a resourceVersion older than the window gets 410 Expired and must relist.
import type { KubeObject } from "../object-api.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredChange {
  resourceVersion: number;
  type: ChangeType;
  storageKey: string;
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before a MODIFIED or DELETED: selector watches and past-version lists need it. */
  previous?: KubeObject;
}

export class ChangeHistory {
  private ring: (StoredChange | undefined)[];
  private start = 0;
  private size = 0;
  /** Every change with a resourceVersion above this is retained. */
  private compactedThrough: number;

  constructor(capacity: number, initialResourceVersion = 0) {
    this.ring = new Array(Math.max(1, capacity));
    this.compactedThrough = initialResourceVersion;
  }

  append(change: StoredChange): void {
    if (this.size === this.ring.length) {
      const evicted = this.ring[this.start];
      if (evicted) this.compactedThrough = evicted.resourceVersion;
      this.ring[this.start] = change;
      this.start = (this.start + 1) % this.ring.length;
      return;
    }
    this.ring[(this.start + this.size) % this.ring.length] = change;
    this.size++;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestResumable(): number {
    return this.compactedThrough;
  }

  canResumeFrom(resourceVersion: number): boolean {
    return resourceVersion >= this.compactedThrough;
  }

  /** Changes after a resourceVersion, oldest first; call canResumeFrom first. */
  since(resourceVersion: number, storageKey?: string): StoredChange[] {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.at(mid).resourceVersion <= resourceVersion) low = mid + 1;
      else high = mid;
    }
    const changes: StoredChange[] = [];
    for (let i = low; i < this.size; i++) {
      const change = this.at(i);
      if (storageKey === undefined || change.storageKey === storageKey) changes.push(change);
    }
    return changes;
  }

  /** Forgets everything up to a resourceVersion (a compaction, or a restart that lost history). */
  compact(throughResourceVersion: number): void {
    this.ring = new Array(this.ring.length);
    this.start = 0;
    this.size = 0;
    this.compactedThrough = throughResourceVersion;
  }

  get length(): number {
    return this.size;
  }

  private at(index: number): StoredChange {
    return this.ring[(this.start + index) % this.ring.length]!;
  }
}
