// What one connection writes outside the fan-out, in order. A long message (a query's result of
// megabytes) is written a chunk a turn; whatever the connection has to write meanwhile (a completion,
// a pong, another result, a keep-alive) waits behind it, since nothing may land in the middle of a
// message, and the fan-out sees the connection as full until it is out.
import type { EventEmitter } from "node:events";
import { chunksOf, isLong, nextTurn } from "./result-chunks.js";

/** Resolves on a writable's next drain, or once it is gone (a socket, an HTTP response). */
export function drainedOrGone(writable: EventEmitter & { destroyed: boolean }): Promise<void> {
  if (writable.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      writable.off("drain", done);
      writable.off("close", done);
      resolve();
    };
    writable.on("drain", done);
    writable.on("close", done);
  });
}

/**
 * Writes that may wait behind a long message on one connection: far more than a client that reads
 * ever has there (a completion or an error per operation, a pong per ping), and a bound on one that
 * sends pings faster than it reads.
 */
export const writesWaitingBound = 1_000;

/** How the writer reaches a transport. */
export interface WriteTarget {
  /** Writes a short message in one go. */
  whole(text: string, onWritten?: () => void): void;
  /** Writes one chunk of a long message; `first` and `last` say where it sits in the message. */
  chunk(bytes: Buffer, first: boolean, last: boolean, onWritten?: () => void): void;
  /** Whether it holds as much unsent as it may: the next chunk waits for it to drain. */
  full(): boolean;
  /** Resolves when it drains or is gone. */
  drained(): Promise<void>;
  /** Gone or closing: nothing more is written. */
  stopped(): boolean;
  /** Bytes written to it that have not reached the kernel yet. */
  unsent(): number;
}

export interface OrderedWriterLimits {
  /** Writes that may wait behind long messages; one more is an overflow. */
  maxWaiting: number;
  /** How long a long message waits for its reader to take what was written before it gives up. */
  stallMs: number;
}

export interface OrderedWriterEvents {
  /** The reader took nothing of a long message for `stallMs`; `unsent` bytes are still unsent. */
  stalled(unsent: number): void;
  /** More writes waited behind long messages than `maxWaiting`. */
  overflowed(): void;
  /** Nothing waits any more: what was held back may be written. */
  idle(): void;
}

type Pending =
  | { kind: "write"; write: () => void }
  | { kind: "message"; pieces: readonly string[]; onWritten: (() => void) | undefined };

export class OrderedWriter {
  private readonly waiting: Pending[] = [];
  private writing = false;

  constructor(
    private readonly target: WriteTarget,
    private readonly limits: OrderedWriterLimits,
    private readonly events: OrderedWriterEvents,
  ) {}

  /** A long message is being written: nothing else may be written to the transport now. */
  get busy(): boolean {
    return this.writing;
  }

  /** Runs a short write of the transport's own now, or after the long messages before it. */
  write(write: () => void): void {
    if (this.writing) this.wait({ kind: "write", write });
    else write();
  }

  /** Writes the concatenation of `pieces` as one message: whole when short, a chunk a turn when long. */
  message(pieces: readonly string[], onWritten?: () => void): void {
    if (this.writing) this.wait({ kind: "message", pieces, onWritten });
    else this.start(pieces, onWritten);
  }

  private wait(pending: Pending): void {
    if (this.waiting.length >= this.limits.maxWaiting) {
      this.events.overflowed();
      if (pending.kind === "message") pending.onWritten?.();
      return;
    }
    this.waiting.push(pending);
  }

  private start(pieces: readonly string[], onWritten: (() => void) | undefined): void {
    if (!isLong(pieces)) {
      this.target.whole(pieces.join(""), onWritten);
      return;
    }
    this.writing = true;
    void this.writeLong(pieces, onWritten).finally(() => {
      this.writing = false;
      this.next();
    });
  }

  private async writeLong(pieces: readonly string[], onWritten: (() => void) | undefined): Promise<void> {
    let first = true;
    for (const { text, last } of chunksOf(pieces)) {
      if (this.target.stopped()) break;
      this.target.chunk(Buffer.from(text), first, last, last ? onWritten : undefined);
      if (last) return;
      first = false;
      if (!this.target.full()) await nextTurn();
      else if (!(await this.drainedWithinStall())) {
        this.events.stalled(this.target.unsent());
        break;
      }
    }
    // Cut short: whoever waits for it to be written waits no longer.
    onWritten?.();
  }

  private async drainedWithinStall(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.limits.stallMs);
    });
    try {
      return await Promise.race([this.target.drained().then(() => true), stall]);
    } finally {
      clearTimeout(timer);
    }
  }

  private next(): void {
    while (!this.writing && this.waiting.length > 0) {
      const pending = this.waiting.shift()!;
      if (pending.kind === "write") pending.write();
      else this.start(pending.pieces, pending.onWritten);
    }
    if (!this.writing) this.events.idle();
  }
}
