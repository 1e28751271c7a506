import type { Logger } from "../../kube/index.js";
import type { NatsLink } from "./connection.js";
import { coreSubject, resyncMessage } from "./wire.js";

/** One message, encoded when it reaches the head of the queue (so a burst of changes costs the graph nothing). */
export interface OutgoingMessage {
  readonly kind: "message";
  readonly subject: string;
  /** The text, or what makes it; undefined means nothing to send after all (an unchanged object). */
  readonly payload: string | Uint8Array | (() => string | undefined);
  /** Bytes counted against the buffer's bound until it is encoded. */
  readonly estimate: number;
  /**
   * Sent again after a lost connection when the server had not confirmed it. Changes and store batches
   * are: a consumer applies a full object twice to the same effect. Log and exec output are not.
   */
  readonly replay: boolean;
  /** Told when the message is dropped after it was made (too large, or the buffer overflowed). */
  readonly onDropped?: () => void;
}

/** Many messages made one at a time when it reaches the head: an informer-store reply. */
export interface OutgoingStream {
  readonly kind: "stream";
  readonly subject: string;
  readonly estimate: number;
  readonly replay: boolean;
  /** Takes what it will send (a snapshot); called once, when it first reaches the head. */
  open(): Promise<void>;
  /** The next message, at most `maxBytes` when it can be; undefined once done. */
  next(maxBytes: number): string | undefined;
}

export type Outgoing = OutgoingMessage | OutgoingStream;

export interface PublishQueueLimits {
  maxBufferedMessages: number;
  maxBufferedBytes: number;
  maxInFlightBytes: number;
  maxMessageBytes: number;
}

export interface PublishQueueCounters {
  published: number;
  dropped: number;
  overflows: number;
}

/** A sent message the server has not yet confirmed, kept to send again if the connection is lost. */
interface InFlight {
  readonly sequence: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly replay: boolean;
}

/** Time the queue spends handing messages to NATS before it lets the event loop turn. */
const sliceMs = 4;

const encoder = new TextEncoder();

/**
 * Everything meshsync publishes goes through this one queue, in order, so that a consumer sees a
 * store reply after every change it includes and before every change after it.
 *
 * nats.js drops what is published while it is disconnected (each dial resets its outbound buffer), and
 * what it wrote just before a connection died is lost with it. So nothing is handed to the client while
 * the link is down; what was handed over is held until a flush's PONG proves the server has it, and
 * is sent again (changes and store batches) if the connection goes first. Bounds: messages and bytes
 * waiting (held ones included) and bytes handed over unconfirmed. When what waits passes its bound, it
 * is all dropped and, once NATS takes messages again, a RESYNC goes out first: the consumer then asks
 * for the store again.
 */
export class PublishQueue {
  private pending: Outgoing[] = [];
  private head = 0;
  private pendingBytes = 0;
  private inFlight: InFlight[] = [];
  private inFlightBytes = 0;
  private sequence = 0;
  /** Which connection (each up counts one) a flush was asked on, so one from a lost connection confirms nothing. */
  private epoch = 0;
  private flushing = false;
  private pumping = false;
  private scheduled = false;
  private resyncOwed = false;
  private openedStream: OutgoingStream | undefined;
  private closed = false;
  readonly counters: PublishQueueCounters = { published: 0, dropped: 0, overflows: 0 };

  constructor(
    private readonly link: NatsLink,
    private readonly limits: PublishQueueLimits,
    private readonly logger: Logger,
    /** Called when the buffer overflows: what assumed earlier messages published must forget it. */
    private readonly onOverflow: () => void = () => {},
  ) {}

  get buffered(): number {
    return this.pending.length - this.head;
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  get unconfirmed(): number {
    return this.inFlight.length;
  }

  enqueue(item: Outgoing): void {
    if (this.closed) return;
    this.pending.push(item);
    this.pendingBytes += item.estimate;
    if (this.overBound()) this.overflow();
    this.kick();
  }

  private overBound(): boolean {
    const count = this.pending.length - this.head + this.inFlight.length;
    return (
      count > this.limits.maxBufferedMessages ||
      this.pendingBytes + this.inFlightBytes > this.limits.maxBufferedBytes
    );
  }

  private overflow(): void {
    const lost = this.pending.length - this.head + (this.link.isUp ? 0 : this.inFlight.length);
    for (let i = this.head; i < this.pending.length; i++) {
      const item = this.pending[i]!;
      if (item.kind === "message") item.onDropped?.();
    }
    this.pending = [];
    this.head = 0;
    this.pendingBytes = 0;
    this.openedStream = undefined;
    if (!this.link.isUp) {
      this.inFlight = [];
      this.inFlightBytes = 0;
    }
    this.counters.dropped += lost;
    this.counters.overflows++;
    this.resyncOwed = true;
    this.onOverflow();
    this.logger.warn(
      { dropped: lost, maxMessages: this.limits.maxBufferedMessages, maxBytes: this.limits.maxBufferedBytes },
      "NATS publish buffer overflowed: dropped it, a RESYNC follows once NATS takes messages",
    );
  }

  /** The link came up: what waits goes out. */
  connected(): void {
    this.epoch++;
    this.flushing = false;
    this.kick();
  }

  /** The link went down: what the server has not confirmed waits again, at the front, in its order. */
  disconnected(): void {
    this.epoch++;
    this.flushing = false;
    const again: Outgoing[] = [];
    for (const sent of this.inFlight) {
      if (!sent.replay) continue;
      again.push({
        kind: "message",
        subject: sent.subject,
        payload: sent.data,
        estimate: sent.data.length,
        replay: true,
      });
    }
    const waiting = this.pending.slice(this.head);
    this.pending = [...again, ...waiting];
    this.head = 0;
    this.pendingBytes += again.reduce((total, item) => total + item.estimate, 0);
    this.inFlight = [];
    this.inFlightBytes = 0;
    if (this.overBound()) this.overflow();
  }

  private kick(): void {
    if (this.scheduled || this.pumping || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private maxMessageBytes(): number {
    const server = this.link.maxPayload;
    return server !== undefined && server > 0
      ? Math.min(server, this.limits.maxMessageBytes)
      : this.limits.maxMessageBytes;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let deadline = performance.now() + sliceMs;
      while (this.link.isUp) {
        if (this.inFlightBytes >= this.limits.maxInFlightBytes) break;
        if (performance.now() > deadline) {
          this.confirm();
          await new Promise<void>((resolve) => setImmediate(resolve));
          deadline = performance.now() + sliceMs;
          continue;
        }
        if (this.resyncOwed) {
          this.resyncOwed = false;
          this.send(coreSubject, encoder.encode(resyncMessage()), true);
          continue;
        }
        if (this.head >= this.pending.length) break;
        const item = this.pending[this.head]!;
        if (item.kind === "message") {
          this.take(item);
          const text = typeof item.payload === "function" ? item.payload() : item.payload;
          if (text === undefined) continue;
          const data = typeof text === "string" ? encoder.encode(text) : text;
          if (!this.fits(data, item.subject)) {
            item.onDropped?.();
            continue;
          }
          this.send(item.subject, data, item.replay);
          continue;
        }
        if (this.openedStream !== item) {
          this.openedStream = item;
          try {
            await item.open();
          } catch (error) {
            this.logger.error(
              { subject: item.subject, error: (error as Error).message },
              "store reply failed",
            );
            if (this.pending[this.head] === item) this.take(item);
            continue;
          }
          // An overflow or a lost connection while it opened has rearranged the queue.
          if (this.pending[this.head] !== item) continue;
        }
        const max = this.maxMessageBytes();
        const text = item.next(max);
        if (text === undefined) {
          this.take(item);
          this.openedStream = undefined;
          continue;
        }
        const data = encoder.encode(text);
        if (this.fits(data, item.subject)) this.send(item.subject, data, item.replay);
      }
    } finally {
      this.pumping = false;
    }
    this.confirm();
    if (this.link.isUp && this.inFlightBytes < this.limits.maxInFlightBytes && this.hasWork()) this.kick();
  }

  private hasWork(): boolean {
    return this.resyncOwed || this.head < this.pending.length;
  }

  private take(item: Outgoing): void {
    this.head++;
    this.pendingBytes -= item.estimate;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
      this.pendingBytes = 0;
    }
  }

  private fits(data: Uint8Array, subject: string): boolean {
    const max = this.maxMessageBytes();
    if (data.length <= max) return true;
    this.counters.dropped++;
    this.logger.error(
      { subject, bytes: data.length, maxBytes: max },
      "message larger than NATS accepts: not published",
    );
    return false;
  }

  private send(subject: string, data: Uint8Array, replay: boolean): void {
    const nc = this.link.connection;
    if (nc === undefined) return;
    try {
      nc.publish(subject, data);
    } catch (error) {
      this.counters.dropped++;
      this.logger.error({ subject, error: (error as Error).message }, "NATS publish failed");
      return;
    }
    this.counters.published++;
    this.sequence++;
    this.inFlight.push({ sequence: this.sequence, subject, data, replay });
    this.inFlightBytes += data.length;
  }

  /** Asks the server to confirm what it has been sent so far (one flush at a time). */
  private confirm(): void {
    if (this.flushing || this.inFlight.length === 0) return;
    const nc = this.link.connection;
    if (nc === undefined) return;
    this.flushing = true;
    const epoch = this.epoch;
    const mark = this.sequence;
    nc.flush().then(
      () => {
        if (epoch !== this.epoch) return;
        this.flushing = false;
        let confirmed = 0;
        let bytes = 0;
        while (confirmed < this.inFlight.length && this.inFlight[confirmed]!.sequence <= mark) {
          bytes += this.inFlight[confirmed]!.data.length;
          confirmed++;
        }
        this.inFlight = this.inFlight.slice(confirmed);
        this.inFlightBytes -= bytes;
        if (this.inFlight.length > 0) this.confirm();
        if (this.hasWork()) this.kick();
      },
      () => {
        if (epoch === this.epoch) this.flushing = false;
      },
    );
  }

  /** Resolves once nothing waits and the server has confirmed everything, or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.hasWork() && this.inFlight.length === 0) return true;
      if (!this.link.isUp) return false;
      this.kick();
      this.confirm();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  close(): void {
    this.closed = true;
    this.pending = [];
    this.head = 0;
    this.pendingBytes = 0;
  }
}
