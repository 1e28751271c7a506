import {
  type ChangeLog,
  type ChangeType,
  changeEvaluations,
  type FilterView,
  type RelationDelta,
  type ResourceChange,
  type StoredResource,
} from "../graph/index.js";
import { type FanoutEvent, type ResumePoint, SharedSubscription } from "./fanout-source.js";

export type { ResumePoint };

/** What a subscriber receives: a change, or RESYNC (re-query; what you hold may be stale). */
export interface ChangeEvent {
  /** The change-log cursor; for RESYNC, the position up to which the client must re-read. */
  sequence: string;
  type: ChangeType | "RESYNC";
  /** Null for RESYNC; for DELETED, the last known state. */
  resource: StoredResource | null;
  /** When the change was committed (for RESYNC, when it was made), in epoch milliseconds. */
  time: number;
  /** The edges the change made appear or disappear; absent when it moved none. */
  relations?: RelationDelta | undefined;
}

export type ChangeFeed = Pick<
  ChangeLog,
  "sequence" | "cursor" | "parseCursor" | "changeAt" | "subscribe" | "now"
>;

/** The RESYNC event at a position of the log, stamped with the log's clock. */
export function resyncEvent(feed: Pick<ChangeFeed, "cursor" | "now">, at: number): ChangeEvent {
  return { sequence: feed.cursor(at), type: "RESYNC", resource: null, time: feed.now() };
}

export interface ChangeStreamOptions {
  /** Resume after this cursor; absent: live changes only. */
  since?: string | null | undefined;
  matches: (resource: FilterView) => boolean;
  /** What matching one change costs (changeEvaluations of the filter); 2 for no filter when absent. */
  evaluations?: number | undefined;
  /** Live changes held for a reader that falls behind; past this the stream resyncs. */
  capacity: number;
  onOpen?: (() => void) | undefined;
  onOverflow?: (() => void) | undefined;
  onClose?: (() => void) | undefined;
}

/**
 * A subscriber's own view of the change log: the retained backlog after `since`, then live changes,
 * through a bounded queue. A reader that falls behind never holds more than `capacity` changes and
 * never slows the graph or other readers: on overflow its queue is dropped and it is sent RESYNC.
 */
class ChangeStream implements AsyncIterableIterator<ChangeEvent> {
  /**
   * The next retained change to replay, read from the log's ring one at a time rather than copied, so
   * a resume costs no memory of its own; past `highWater` live changes come from the queue.
   */
  private nextBacklog = 0;
  private queue: ChangeEvent[] = [];
  private resyncAt: number | undefined;
  private waiting: ((result: IteratorResult<ChangeEvent>) => void) | undefined;
  private readonly highWater: number;
  private readonly matches: (resource: FilterView) => boolean;

  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly options: ChangeStreamOptions,
  ) {
    // The backlog is read and the listener added in one synchronous turn: no change can commit between
    // them, so the stream has neither a gap nor a duplicate at the seam.
    this.highWater = feed.sequence;
    this.matches = safeMatcher(options.matches);
    const start = resumePoint(feed, options.since);
    if (start.kind === "backlog") this.nextBacklog = start.from;
    else if (start.kind === "resync") this.resyncAt = start.at;
    this.unsubscribe = feed.subscribe((change) => this.push(change));
    options.onOpen?.();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeEvent> {
    return this;
  }

  next(): Promise<IteratorResult<ChangeEvent>> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    const event = this.take();
    if (event !== undefined) return Promise.resolve({ done: false, value: event });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ChangeEvent>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(): Promise<IteratorResult<ChangeEvent>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.nextBacklog = this.highWater + 1;
    this.queue = [];
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ done: true, value: undefined });
    this.options.onClose?.();
  }

  private push(change: ResourceChange): void {
    if (this.closed || change.sequence <= this.highWater) return;
    const event = this.project(change);
    if (event === undefined) return;
    if (this.waiting !== undefined && this.isDrained()) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting({ done: false, value: event });
      return;
    }
    if (this.queue.length >= this.options.capacity) {
      // Dropping everything pending and asking for a re-read bounds memory whatever the reader does.
      this.queue = [];
      this.nextBacklog = this.highWater + 1;
      this.resyncAt = change.sequence;
      this.options.onOverflow?.();
      return;
    }
    this.queue.push(event);
  }

  private backlogDone(): boolean {
    return this.nextBacklog === 0 || this.nextBacklog > this.highWater;
  }

  private isDrained(): boolean {
    return this.resyncAt === undefined && this.backlogDone() && this.queue.length === 0;
  }

  private take(): ChangeEvent | undefined {
    if (this.resyncAt !== undefined) {
      const event = resyncEvent(this.feed, this.resyncAt);
      this.resyncAt = undefined;
      return event;
    }
    while (!this.backlogDone()) {
      const change = this.feed.changeAt(this.nextBacklog);
      if (change === undefined) {
        // The reader was so slow that the ring moved past what it had yet to replay.
        this.nextBacklog = this.highWater + 1;
        this.queue = [];
        this.options.onOverflow?.();
        return resyncEvent(this.feed, this.feed.sequence);
      }
      this.nextBacklog += 1;
      const event = this.project(change);
      if (event !== undefined) return event;
    }
    return this.queue.shift();
  }

  private project(change: ResourceChange): ChangeEvent | undefined {
    return projectChange(this.feed, change, this.matches);
  }
}

/**
 * Read in the same synchronous turn as the live listener is added, so that nothing can commit between
 * the two and the stream has neither a gap nor a duplicate at the seam.
 */
export function resumePoint(feed: ChangeFeed, since: string | null | undefined): ResumePoint {
  if (since === undefined || since === null) return { kind: "live" };
  const sequence = feed.parseCursor(since);
  const resumable =
    sequence !== undefined &&
    sequence <= feed.sequence &&
    (sequence === feed.sequence || feed.changeAt(sequence + 1) !== undefined);
  if (!resumable) return { kind: "resync", at: feed.sequence };
  return sequence === feed.sequence ? { kind: "live" } : { kind: "backlog", from: sequence + 1 };
}

/**
 * The change as a subscriber's filter sees it, as a filtered Kubernetes watch does: an object that
 * moves into the filter is ADDED for it, one that moves out is DELETED (with its new state), and a
 * change wholly outside the filter is not sent at all. `matches` must not throw.
 */
export function projectChange(
  feed: Pick<ChangeFeed, "cursor">,
  change: ResourceChange,
  matches: (resource: FilterView) => boolean,
): ChangeEvent | undefined {
  const now = matches(change.resource);
  const before = change.previous === undefined ? now : matches(change.previous);
  let type: ChangeType;
  if (change.type !== "MODIFIED") {
    if (!now) return undefined;
    type = change.type;
  } else if (now) {
    type = before ? "MODIFIED" : "ADDED";
  } else if (before) {
    type = "DELETED";
  } else {
    return undefined;
  }
  const event: ChangeEvent = {
    sequence: feed.cursor(change.sequence),
    type,
    resource: change.resource,
    time: change.time,
  };
  if (change.relations !== undefined) event.relations = change.relations;
  return event;
}

/** A filter that treats its own failure as no match, so one bad object cannot break a stream. */
export function safeMatcher(matches: (resource: FilterView) => boolean): (resource: FilterView) => boolean {
  return (resource) => {
    try {
      return matches(resource);
    } catch {
      return false;
    }
  };
}

/**
 * What the resourceChanges resolver returns: iterating it opens a ChangeStream, and a server that fans
 * changes out itself reads `feed` and `options` instead, so the schema keeps the meaning of the
 * arguments (filter, since) and the server only decides how changes travel.
 */
export class ChangeSubscription
  extends SharedSubscription<ResourceChange>
  implements AsyncIterable<ChangeEvent>
{
  private readonly matches: (resource: FilterView) => boolean;

  constructor(
    readonly feed: ChangeFeed,
    readonly options: ChangeStreamOptions,
  ) {
    super();
    this.matches = safeMatcher(options.matches);
  }

  get capacity(): number {
    return this.options.capacity;
  }

  get evaluations(): number {
    return this.options.evaluations ?? changeEvaluations({});
  }

  start(): ResumePoint {
    return resumePoint(this.feed, this.options.since);
  }

  project(change: ResourceChange): FanoutEvent | undefined {
    const event = projectChange(this.feed, change, this.matches);
    if (event === undefined) return undefined;
    // A change that moved edges is never coalesced into a later one of its object: the later one does
    // not repeat those edges, and a client keeping a topology would lose them.
    return { root: event, key: event.relations === undefined ? event.resource?.key : undefined };
  }

  catchUp(at: number): readonly ChangeEvent[] {
    return [resyncEvent(this.feed, at)];
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ChangeEvent> {
    return openChangeStream(this.feed, this.options);
  }
}

export function openChangeStream(
  feed: ChangeFeed,
  options: ChangeStreamOptions,
): AsyncIterableIterator<ChangeEvent> {
  return new ChangeStream(feed, options);
}
