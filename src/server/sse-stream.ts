import type { ServerResponse } from "node:http";
import type { ExecutionResult } from "graphql";
import { type FrameSink, resultPieces } from "./fanout/index.js";
import type { ServerLimits } from "./options.js";
import { drainedOrGone, OrderedWriter, writesWaitingBound } from "./ordered-writer.js";

const streamHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "content-encoding": "none",
  // Proxies such as nginx would otherwise buffer the stream.
  "x-accel-buffering": "no",
};

/** One line of the SSE stream that every reader ignores: keeps proxies from timing the stream out. */
const keepAliveComment = ":\n\n";
const singleEnd = Buffer.from("}\n\n");
const distinctEnd = Buffer.from("\n\n");

export type SseLimits = Pick<
  ServerLimits,
  "socketHighWaterBytes" | "maxQueuedBytesPerSocket" | "closeGraceMs" | "keepAliveMs" | "slowSocketTimeoutMs"
>;

/**
 * The event stream of one graphql-sse connection, as the fan-out writes to it. A reservation (single
 * connection mode) exists before its stream does: until one attaches it counts as full, so what comes
 * for it waits in the fan-out's bounded queues.
 */
export class SseStream {
  private response: ServerResponse | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private ended = false;
  /** Events outside the fan-out, in order; a long result a chunk a turn. */
  private readonly writer: OrderedWriter;

  constructor(
    private readonly limits: SseLimits,
    /** Distinct-connection streams carry bare results; single-connection ones name the operation. */
    private readonly single: boolean,
    private readonly onWritable: () => void,
    private readonly onEnd: () => void,
    /** Ends the stream for falling behind, as the fan-out evicts (counted, with a reason). */
    evict: (reason: string) => void,
  ) {
    this.writer = new OrderedWriter(
      {
        whole: (text, onWritten) => this.writeOrSkip(text, onWritten),
        chunk: (bytes, _first, _last, onWritten) => this.writeOrSkip(bytes, onWritten),
        full: () => (this.open()?.writableLength ?? 0) >= limits.socketHighWaterBytes,
        drained: () => {
          const response = this.open();
          return response === undefined ? Promise.resolve() : drainedOrGone(response);
        },
        stopped: () => this.open() === undefined,
        unsent: () => this.open()?.writableLength ?? 0,
      },
      { maxWaiting: writesWaitingBound, stallMs: limits.slowSocketTimeoutMs },
      {
        stalled: (unsent) => evict(`too slow: ${unsent} bytes unsent for ${limits.slowSocketTimeoutMs} ms`),
        overflowed: () => evict(`too slow: ${writesWaitingBound} events waiting behind a result`),
        idle: onWritable,
      },
    );
    this.keepAlive = setInterval(() => this.sendControl(keepAliveComment), limits.keepAliveMs);
    this.keepAlive.unref();
  }

  get attached(): boolean {
    return this.response !== undefined;
  }

  /** Starts the event stream on this response. */
  attach(response: ServerResponse): void {
    this.response = response;
    response.writeHead(200, streamHeaders);
    response.write(keepAliveComment);
    response.on("drain", this.onWritable);
    response.once("close", () => this.end());
    this.onWritable();
  }

  sink(): FrameSink {
    const single = this.single;
    return {
      transport: "sse",
      // Nothing may land inside a long result: until it is out, the stream counts as full.
      buffered: () =>
        this.response === undefined
          ? this.limits.socketHighWaterBytes
          : this.writer.busy
            ? Math.max(this.response.writableLength, this.limits.socketHighWaterBytes)
            : this.response.writableLength,
      cork: () => this.response?.cork(),
      uncork: () => this.response?.uncork(),
      nextPrefix: single
        ? (idJson) => Buffer.from(`event: next\ndata: {"id":${idJson},"payload":`)
        : () => Buffer.from("event: next\ndata: "),
      writeNext: (prefix, payload) => {
        // One write per event: each write of a chunked response is a chunk of its own.
        this.response?.write(Buffer.concat([prefix, payload, single ? singleEnd : distinctEnd]));
      },
      evict: (reason) => this.close(`closed 4413 ${reason}`),
    };
  }

  /** The response while the stream is attached and not ended. */
  private open(): ServerResponse | undefined {
    return this.ended ? undefined : this.response;
  }

  private writeOrSkip(data: string | Buffer, onWritten?: () => void): void {
    const response = this.open();
    if (response === undefined) onWritten?.();
    else response.write(data, () => onWritten?.());
  }

  /** Ends the stream when it holds more unsent than a reader may leave; true when it is not open. */
  private closedForUnsent(): boolean {
    const unsent = this.open()?.writableLength ?? 0;
    if (unsent > this.limits.socketHighWaterBytes + this.limits.maxQueuedBytesPerSocket) {
      this.close(`closed 4413 too slow: ${unsent} bytes unsent`);
    }
    return this.open() === undefined;
  }

  /** An event outside the fan-out (an error, a completion's); a stream that does not read is closed. */
  private send(text: string): void {
    this.writer.write(() => {
      if (!this.closedForUnsent()) this.writeOrSkip(text);
    });
  }

  /**
   * A few bytes that end something the client asked for, or keep the stream alive: never refused for
   * the bytes before them, which may be the very result they complete.
   */
  private sendControl(text: string, onWritten?: () => void): void {
    this.writer.write(() => this.writeOrSkip(text, onWritten));
  }

  next(idJson: string, payload: string): void {
    this.send(
      this.single
        ? `event: next\ndata: {"id":${idJson},"payload":${payload}}\n\n`
        : `event: next\ndata: ${payload}\n\n`,
    );
  }

  /** A query's result and its completion; `onWritten` once both are out of the process, or the stream gone. */
  result(idJson: string, result: ExecutionResult, onWritten: () => void): void {
    this.writer.write(() => this.closedForUnsent());
    this.writer.message(
      this.single
        ? [`event: next\ndata: {"id":${idJson},"payload":`, ...resultPieces(result), "}\n\n"]
        : ["event: next\ndata: ", ...resultPieces(result), "\n\n"],
    );
    this.complete(idJson, onWritten);
  }

  /** Ends an operation; `onWritten` once this (and all before it) is out of the process, or the stream gone. */
  complete(idJson: string, onWritten?: () => void): void {
    this.sendControl(
      this.single ? `event: complete\ndata: {"id":${idJson}}\n\n` : "event: complete\ndata:\n\n",
      onWritten,
    );
  }

  /**
   * Ends the stream: once what was written before is out, or, with `why` (the stream falls behind), at
   * once after a comment line saying why. Cut if it is not read in time. Inside a long result no comment
   * is written (it would become part of the event's data); the client drops the unfinished event.
   */
  close(why?: string): void {
    if (why === undefined) this.writer.write(() => this.endNow(undefined));
    else this.endNow(this.writer.busy ? undefined : why);
  }

  private endNow(why: string | undefined): void {
    const response = this.response;
    if (response !== undefined && !this.ended) {
      if (why !== undefined) response.write(`: ${why.replace(/[\r\n]+/g, " ")}\n\n`);
      response.end();
      setTimeout(() => response.destroy(), this.limits.closeGraceMs).unref();
    }
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    this.onEnd();
  }
}
