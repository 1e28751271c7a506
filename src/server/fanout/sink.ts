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
  write(frame: string): void;
  /** The frame that carries one result: `payload` is a serialized ExecutionResult, `idJson` a JSON string. */
  nextFrame(idJson: string, payload: string): string;
  /** Ends the connection because it fell too far behind; `reason` is one short sentence. */
  evict(reason: string): void;
}
