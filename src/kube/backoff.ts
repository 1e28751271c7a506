// Jittered exponential backoff (client-go's wait.Backoff with a reset after a healthy period):
// retries spread out so a recovering server is not hit by every reflector at once, and a type
// that has worked for a while starts again from the short delay after its next failure.

// A server (or a proxy in front of it) that asks for days is wrong or hostile; waiting that long
// would leave the type frozen, so after a few minutes we ask again.
const DEFAULT_MAX_RETRY_AFTER_MS = 5 * 60_000;

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Each delay is stretched by up to this fraction, at random. */
  jitter?: number;
  /** Success that lasts this long forgets earlier failures. */
  resetAfterMs?: number;
  /** The longest a server's Retry-After may hold us back. */
  maxRetryAfterMs?: number;
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private attempt = 0;
  private healthySince: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.5;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Delay before the next retry; a server's Retry-After wins when it asks for longer, up to a cap. */
  next(retryAfterMs?: number): number {
    if (this.healthySince !== undefined && this.now() - this.healthySince >= this.resetAfterMs) {
      this.attempt = 0;
    }
    this.healthySince = undefined;
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt += 1;
    const delay = Math.min(this.maxMs, base * (1 + this.jitter * this.random()));
    if (retryAfterMs === undefined || Number.isNaN(retryAfterMs)) return delay;
    return Math.max(delay, Math.min(retryAfterMs, this.maxRetryAfterMs));
  }

  /** Marks the start of a healthy stretch (e.g. a watch opened); it counts once it lasts resetAfterMs. */
  markHealthy(): void {
    if (this.healthySince === undefined) this.healthySince = this.now();
  }

  reset(): void {
    this.attempt = 0;
    this.healthySince = undefined;
  }

  get failures(): number {
    return this.attempt;
  }
}
