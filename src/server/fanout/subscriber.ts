import type { ResumePoint } from "../../api/index.js";
import type { Connection } from "./connection.js";
import type { Group } from "./group.js";

/** Each queued change is counted as its payload plus this, so a bound in bytes also bounds the entries. */
export const entryOverheadBytes = 64;

interface Entry {
  readonly sequence: number;
  readonly payload: Buffer;
  readonly cost: number;
}

/**
 * One operation on one connection: its backlog (replayed from the log's ring after `since`), then its
 * group's live changes through a queue of shared payloads. The queue is ordered by sequence; once the
 * connection holds `coalesceAfterBytes` a newer change of an object replaces its older one (and moves to
 * the back, so sequences still increase); past its bounds the queue is dropped for one RESYNC.
 */
export class Subscriber {
  /** How each of its `next` frames starts on its transport, made once. */
  readonly prefix: Buffer;
  /** Keys are sequences, or object keys for coalesced entries: one Map keeps both in arrival order. */
  private readonly queue = new Map<number | string, Entry>();
  private resyncAt: number | undefined;
  /** What is left to send of a catch-up (a RESYNC, or the current statuses), before anything else. */
  private catchUp: (Buffer | Promise<Buffer>)[] = [];
  private backlogNext = 0;
  /** A frame whose render was asynchronous, waiting to be written before anything else. */
  private ready: Buffer | undefined;
  private awaiting = false;
  private closed = false;
  private parked = false;

  constructor(
    readonly id: string,
    readonly connection: Connection,
    readonly group: Group,
    /** Live changes at or before this came (or were skipped) through the backlog, or a RESYNC covers them. */
    private joinedAt: number,
    start: ResumePoint,
    private readonly onClose: () => void,
  ) {
    this.prefix = connection.sink.nextPrefix(JSON.stringify(id));
    if (start.kind === "backlog") this.backlogNext = start.from;
    else if (start.kind === "resync") this.resyncAt = start.at;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Whether a frame can be taken now (not while an asynchronous render is still running). */
  hasMore(): boolean {
    if (this.closed) return false;
    if (this.ready !== undefined) return true;
    if (this.awaiting) return false;
    return (
      this.resyncAt !== undefined || this.catchUp.length > 0 || this.backlogPending() || this.queue.size > 0
    );
  }

  /** A live change of the group, already rendered. */
  enqueue(sequence: number, objectKey: string | undefined, payload: Buffer): void {
    if (this.closed || sequence <= this.joinedAt) return;
    const connection = this.connection;
    const cost = payload.length + entryOverheadBytes;
    let key: number | string = sequence;
    if (objectKey !== undefined && connection.queuedBytes >= connection.limits.coalesceAfterBytes) {
      key = objectKey;
      const older = this.queue.get(key);
      if (older !== undefined) {
        this.queue.delete(key);
        connection.queuedBytes -= older.cost;
        connection.hub.counters.coalesced();
      }
    }
    this.queue.set(key, { sequence, payload, cost });
    connection.queuedBytes += cost;
    connection.wake();
    // Bytes are bounded always; the length only once the connection is full, since one that can take
    // more will have written this by the end of the batch (Connection.flush checks again then).
    if (
      connection.queuedBytes > connection.limits.maxQueuedBytesPerSocket ||
      (this.queue.size > this.group.capacity && connection.full())
    ) {
      this.overflow(sequence);
    }
  }

  /** The payload of the next `next` to write, or undefined when there is none (yet). */
  takePayload(): Buffer | undefined {
    if (this.closed) return undefined;
    if (this.ready !== undefined) {
      const frame = this.ready;
      this.ready = undefined;
      return frame;
    }
    if (this.awaiting) return undefined;
    if (this.resyncAt !== undefined) {
      const at = this.resyncAt;
      this.resyncAt = undefined;
      this.catchUp = [...this.group.renderResync(at)];
    }
    const caughtUp = this.catchUp.shift();
    if (caughtUp !== undefined) return this.frameOf(caughtUp);
    while (this.backlogPending()) {
      const sequence = this.backlogNext;
      const change = this.group.feed.changeAt(sequence);
      if (change === undefined) {
        // So slow that the ring moved past what it had yet to replay.
        this.overflow(this.joinedAt);
        return this.takePayload();
      }
      this.backlogNext += 1;
      const event = this.group.project(change);
      if (event !== undefined) return this.frameOf(this.group.renderAt(change.sequence, event));
    }
    const first = this.queue.entries().next();
    if (first.done) return undefined;
    const [key, entry] = first.value;
    this.queue.delete(key);
    this.connection.queuedBytes -= entry.cost;
    return entry.payload;
  }

  /** Drops what it holds; the group and connection forget it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.parked.delete(this);
    for (const entry of this.queue.values()) this.connection.queuedBytes -= entry.cost;
    this.queue.clear();
    this.group.leave(this);
    this.onClose();
  }

  private backlogPending(): boolean {
    return this.backlogNext !== 0 && this.backlogNext <= this.joinedAt;
  }

  /** Past its own length bound, or its connection past its bytes bound. */
  overBounds(): boolean {
    const connection = this.connection;
    return (
      this.queue.size > this.group.capacity ||
      connection.queuedBytes > connection.limits.maxQueuedBytesPerSocket
    );
  }

  /** Drops its queue for one RESYNC that covers changes up to `sequence`. */
  resyncFrom(sequence: number): void {
    if (this.closed) return;
    this.overflow(sequence);
    this.joinedAt = Math.max(this.joinedAt, sequence);
    this.connection.wake();
  }

  /** Drops its queue for one RESYNC at the last change it had been given. */
  dropToResync(): void {
    if (this.queue.size === 0 || this.parked) return;
    let last = this.joinedAt;
    for (const entry of this.queue.values()) last = Math.max(last, entry.sequence);
    this.overflow(last);
  }

  private overflow(at: number): void {
    for (const entry of this.queue.values()) this.connection.queuedBytes -= entry.cost;
    this.queue.clear();
    this.backlogNext = 0;
    this.ready = undefined;
    this.catchUp = [];
    this.resyncAt = at;
    this.connection.hub.counters.resynced();
    if (this.connection.full()) this.park();
  }

  /**
   * Leaves the group while its connection cannot take anything and a RESYNC is all it is owed: a
   * client that stopped reading then costs nothing per change, however many subscriptions it holds.
   */
  private park(): void {
    if (this.parked) return;
    this.parked = true;
    this.group.park(this);
    this.connection.parked.add(this);
  }

  /** Back in the group once its connection drains; its RESYNC covers everything up to now. */
  unpark(): void {
    if (!this.parked || this.closed) return;
    this.parked = false;
    this.connection.parked.delete(this);
    const now = this.group.feed.sequence;
    this.joinedAt = now;
    this.resyncAt = now;
    this.group.unpark(this);
  }

  private frameOf(rendered: Buffer | Promise<Buffer>): Buffer | undefined {
    if (!(rendered instanceof Promise)) return rendered;
    this.awaiting = true;
    rendered.then(
      (payload) => {
        this.awaiting = false;
        if (this.closed) return;
        this.ready = payload;
        this.connection.wake();
      },
      () => {
        this.awaiting = false;
        this.connection.wake();
      },
    );
    return undefined;
  }
}
