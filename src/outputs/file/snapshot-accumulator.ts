// What a run in file mode writes when it ends (--stopAfter, a signal): every object seen during the
// run, as the first event seen for it showed it, objects deleted since included. That is what Go's
// InMemoryDeduplicatorStreamingWriter leaves in the file: it writes the first event of each uid,
// ADDED, MODIFIED or DELETED alike, and drops every later one.

import type { ChangeListener, ChangeType, KubernetesResource, StoredResource } from "../../graph/index.js";
import { toKubernetesResource } from "../../graph/index.js";
import {
  type SnapshotFileOptions,
  type SnapshotFileResult,
  writeKubernetesResources,
} from "./snapshot-file.js";

/** What the accumulator reads: the graph's objects now, and its changes from now on. */
export interface SnapshotSource {
  all(): Iterable<StoredResource>;
  readonly log: { subscribe(listener: ChangeListener): () => void };
}

export interface SnapshotAccumulatorOptions {
  /** The most objects kept (1,000,000 unless given); more are counted in `dropped`, not kept. */
  maxObjects?: number;
}

export interface AccumulatedSnapshotResult extends SnapshotFileResult {
  /** Objects first seen once the accumulator was full, and so left out of the file. */
  dropped: number;
}

export const defaultSnapshotMaxObjects = 1_000_000;

export class SnapshotAccumulator {
  private readonly seen = new Map<string, { resource: StoredResource; event: ChangeType }>();
  private readonly maxObjects: number;
  private droppedCount = 0;
  private unsubscribe: (() => void) | undefined;

  /** With a source, starts from the objects it holds (as ADDED) and follows its changes until close(). */
  constructor(source?: SnapshotSource, options: SnapshotAccumulatorOptions = {}) {
    const max = options.maxObjects ?? defaultSnapshotMaxObjects;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`maxObjects must be a positive integer, not ${max}`);
    this.maxObjects = max;
    if (source !== undefined) {
      for (const resource of source.all()) this.add(resource, "ADDED");
      this.unsubscribe = source.log.subscribe((change) => this.add(change.resource, change.type));
    }
  }

  /** Records an object's event; true when it is the first seen for the object, and so kept. */
  add(resource: StoredResource, event: ChangeType = "ADDED"): boolean {
    if (this.seen.has(resource.key)) return false;
    if (this.seen.size >= this.maxObjects) {
      this.droppedCount++;
      return false;
    }
    this.seen.set(resource.key, { resource, event });
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** The documents the file will hold, in the order the objects were first seen. */
  *objects(): Generator<KubernetesResource> {
    for (const { resource, event } of this.seen.values()) yield toKubernetesResource(resource, { event });
  }

  /** Writes what was seen so far: to `target` when it is a path, else to the first free default name. */
  async write(target?: string | SnapshotFileOptions): Promise<AccumulatedSnapshotResult> {
    const options = typeof target === "string" ? { path: target } : (target ?? {});
    const result = await writeKubernetesResources(this.objects(), options);
    return { ...result, dropped: this.droppedCount };
  }

  /** Stops following the source's changes; what was seen stays, and can still be written. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
