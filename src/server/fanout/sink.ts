/** How a connection's frames travel: a WebSocket or an SSE response. */
export type TransportName = "ws" | "sse";

/**
 * The one thing the fan-out writes to. Frames are whole protocol messages; the fan-out decides when
 * to write, the sink only how.
 */
export interface FrameSink {
  readonly transport: TransportName;
  /** Bytes written to it that have not reached the kernel yet. */
  buffered(): number;
  cork(): void;
  uncork(): void;
  /** The bytes every `next` of one operation starts with (`idJson` is its id as JSON), made once per operation. */
  nextPrefix(idJson: string): Buffer;
  /** Writes one `next`: the operation's prefix, the shared serialized ExecutionResult, the transport's end. */
  writeNext(prefix: Buffer, payload: Buffer): void;
  /** Ends the connection because it fell too far behind; `reason` is one short sentence. */
  evict(reason: string): void;
}
