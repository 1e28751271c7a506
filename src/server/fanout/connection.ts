import type { ServerLimits } from "../options.js";
import type { FrameSink } from "./sink.js";
import type { Subscriber } from "./subscriber.js";

export type ConnectionLimits = Pick<
  ServerLimits,
  "socketHighWaterBytes" | "coalesceAfterBytes" | "maxQueuedBytesPerSocket"
>;

export interface ConnectionHost {
  /** Asks for this connection to be flushed after the current turn. */
  wake(connection: Connection): void;
  /** The connection is gone; it holds nothing any more. */
  forget(connection: Connection): void;
  readonly counters: {
    delivered(count: number): void;
    coalesced(): void;
    resynced(): void;
    evicted(reason: string): void;
  };
}

/** How many frames are written between two looks at the clock. */
const framesPerClockCheck = 64;

/**
 * One client connection as the fan-out sees it: its subscribers and how far behind it is. Nothing is
 * written while the sink holds `socketHighWaterBytes` unsent; the subscribers' queues take the rest,
 * bounded in bytes across the connection.
 */
export class Connection {
  readonly subscribers = new Map<string, Subscriber>();
  /** Subscribers that left their groups while this connection was full (see Subscriber.park). */
  readonly parked = new Set<Subscriber>();
  /** Bytes of the changes queued in its subscribers (payload plus entry overhead). */
  queuedBytes = 0;
  /** Since when it has had more to send without taking any of what was written; undefined when it reads. */
  blockedSince: number | undefined;
  closed = false;

  constructor(
    readonly sink: FrameSink,
    readonly limits: ConnectionLimits,
    readonly hub: ConnectionHost,
    /** Who the client is, as far as rendering may differ: part of every group key. */
    readonly scope: string,
  ) {}

  /** Bytes this connection makes the process hold: unsent plus queued. */
  heldBytes(): number {
    return this.sink.buffered() + this.queuedBytes;
  }

  /** Whether it holds as much unsent as it may: nothing more is written until it drains. */
  full(): boolean {
    return this.sink.buffered() >= this.limits.socketHighWaterBytes;
  }

  wake(): void {
    if (!this.closed) this.hub.wake(this);
  }

  /**
   * Writes what its subscribers have, corked, until they are empty, the sink is full, or `deadline`
   * (performance.now()) passes. Returns false only when it stopped for the deadline.
   */
  flush(deadline: number): boolean {
    if (this.closed) return true;
    const highWater = this.limits.socketHighWaterBytes;
    let outOfTime = false;
    if (this.sink.buffered() < highWater) {
      // It took what was written before: it is reading, however slowly.
      this.blockedSince = undefined;
      for (const subscriber of this.parked) subscriber.unpark();
      let written = 0;
      this.sink.cork();
      try {
        for (const subscriber of this.subscribers.values()) {
          for (;;) {
            if (this.sink.buffered() >= highWater) break;
            const payload = subscriber.takePayload();
            if (payload === undefined) break;
            this.sink.writeNext(subscriber.prefix, payload);
            if (++written % framesPerClockCheck === 0 && performance.now() > deadline) {
              outOfTime = true;
              break;
            }
          }
          if (outOfTime || this.closed) break;
        }
      } finally {
        this.sink.uncork();
      }
      this.hub.counters.delivered(written);
    }
    if (outOfTime) return false;
    if (this.full()) {
      // What a burst left queued behind a connection that filled up is held to the bounds now.
      for (const subscriber of this.subscribers.values()) {
        if (subscriber.overBounds()) subscriber.dropToResync();
      }
    }
    let more = false;
    for (const subscriber of this.subscribers.values()) {
      if (subscriber.hasMore()) {
        more = true;
        break;
      }
    }
    if (more) this.blockedSince ??= Date.now();
    return true;
  }

  /** Closes it for falling behind: its subscribers let go of everything first. */
  evict(reason: string, kind: string): void {
    if (this.closed) return;
    this.hub.counters.evicted(kind);
    this.release();
    this.sink.evict(reason);
  }

  /** The transport is gone (or going): every subscriber is released. */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscriber of this.subscribers.values()) subscriber.close();
    this.subscribers.clear();
    this.queuedBytes = 0;
    this.blockedSince = undefined;
    this.hub.forget(this);
  }

  /** Stops one operation; false when it was not running. */
  stop(id: string): boolean {
    const subscriber = this.subscribers.get(id);
    if (subscriber === undefined) return false;
    this.subscribers.delete(id);
    subscriber.close();
    return true;
  }
}
