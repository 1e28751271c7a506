/**
 * resync-discovery requests coalesced as Go MeshSync does (meshsync/handlers.go: a 5 s debounce that
 * restarts with each request): the relist runs once the requests have been quiet for `quietMs`. Unlike
 * Go's, a steady stream of requests cannot put it off for ever: it runs at the latest `maxDelayMs`
 * after the first request it covers.
 */
export class ResyncDebounce {
  private timer: NodeJS.Timeout | undefined;
  private firstAt: number | undefined;
  /** Relists started. */
  runs = 0;
  /** Requests received. */
  requests = 0;

  constructor(
    private readonly relist: () => void,
    private readonly quietMs: number,
    private readonly maxDelayMs: number,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  request(): void {
    this.requests++;
    const now = Date.now();
    this.firstAt ??= now;
    const latest = this.firstAt + this.maxDelayMs;
    const waitMs = Math.max(0, Math.min(this.quietMs, latest - now));
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), waitMs);
  }

  private fire(): void {
    this.timer = undefined;
    this.firstAt = undefined;
    this.runs++;
    try {
      this.relist();
    } catch (error) {
      this.onError(error as Error);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
