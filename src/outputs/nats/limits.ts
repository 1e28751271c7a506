import type { NatsOutputLimits } from "./types.js";

export type ResolvedLimits = Required<NatsOutputLimits>;

export const defaultNatsLimits: ResolvedLimits = {
  maxBufferedMessages: 100_000,
  maxBufferedBytes: 256 * 1024 * 1024,
  maxInFlightBytes: 8 * 1024 * 1024,
  // nats-server's default max_payload; the server's own figure lowers it when smaller.
  maxMessageBytes: 1024 * 1024,
  storeBatchSize: 5,
  storeWaitMs: 120_000,
  resyncDebounceMs: 5_000,
  resyncMaxDelayMs: 30_000,
  maxLogStreams: 64,
  maxExecSessions: 16,
  maxRequestBytes: 1024 * 1024,
  maxRequestEntries: 256,
  activeSessionsIntervalMs: 10_000,
  logChunkBytes: 2000,
  execChunkBytes: 1024,
  reconnectMinMs: 250,
  reconnectMaxMs: 10_000,
};

/** The defaults with the given bounds over them; throws RangeError naming a bound that is not a positive number. */
export function resolveLimits(given: NatsOutputLimits = {}): ResolvedLimits {
  const limits = { ...defaultNatsLimits };
  for (const [name, value] of Object.entries(given) as [keyof ResolvedLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`NATS output limit ${name} must be positive`);
    limits[name] = value;
  }
  return limits;
}
