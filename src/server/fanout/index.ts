// The subscription fan-out: groups share one render per change, connections are written corked once
// per batch under backpressure, and one budget bounds the whole server. See ../PROTOCOL.md.
export type { Connection } from "./connection.js";
export { Fanout, type FanoutCounters, type FanoutLimits, type FanoutStats } from "./fanout.js";
export { createRender, type Render, resultPieces, serializeResult } from "./render.js";
export type { FrameSink, TransportName } from "./sink.js";
