import type { ServerResponse } from "node:http";
import type { FrameSink } from "./fanout/index.js";
import type { ServerLimits } from "./options.js";

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
  "socketHighWaterBytes" | "maxQueuedBytesPerSocket" | "closeGraceMs" | "keepAliveMs"
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

  constructor(
    private readonly limits: SseLimits,
    /** Distinct-connection streams carry bare results; single-connection ones name the operation. */
    private readonly single: boolean,
    private readonly onWritable: () => void,
    private readonly onEnd: () => void,
  ) {
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
      buffered: () =>
        this.response === undefined ? this.limits.socketHighWaterBytes : this.response.writableLength,
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

  /** A result outside the fan-out (a query's, an error, a completion); a stream that does not read is closed. */
  send(text: string): void {
    const response = this.response;
    if (response === undefined || this.ended) return;
    if (response.writableLength > this.limits.socketHighWaterBytes + this.limits.maxQueuedBytesPerSocket) {
      this.close(`closed 4413 too slow: ${response.writableLength} bytes unsent`);
      return;
    }
    response.write(text);
  }

  /**
   * A few bytes that end something the client asked for, or keep the stream alive: never refused for
   * the bytes before them, which may be the very result they complete.
   */
  private sendControl(text: string, onWritten?: () => void): void {
    if (this.response === undefined || this.ended) {
      onWritten?.();
      return;
    }
    this.response.write(text, () => onWritten?.());
  }

  next(idJson: string, payload: string): void {
    this.send(
      this.single
        ? `event: next\ndata: {"id":${idJson},"payload":${payload}}\n\n`
        : `event: next\ndata: ${payload}\n\n`,
    );
  }

  /** Ends an operation; `onWritten` once this (and all before it) is out of the process, or the stream gone. */
  complete(idJson: string, onWritten?: () => void): void {
    this.sendControl(
      this.single ? `event: complete\ndata: {"id":${idJson}}\n\n` : "event: complete\ndata:\n\n",
      onWritten,
    );
  }

  /** Ends the stream, after a comment line saying why when there is one; cut if it is not read in time. */
  close(why?: string): void {
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
