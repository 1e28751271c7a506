export interface CostAdmissionLimits {
  /** What the queries and mutations running at once may cost together. */
  maxConcurrentCost: number;
  /** Operations that may wait for room; one more is refused at once. */
  maxQueuedOperations: number;
  /** How long an operation may wait for room before it is refused. */
  maxQueueWaitMs: number;
}

/** Why an operation was not admitted: the queue was full, or its wait ran out. */
export class AdmissionRefused extends Error {
  override name = "AdmissionRefused";
}

interface Waiter {
  readonly cost: number;
  readonly admit: (release: () => void) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One budget for every operation the server runs at once, on top of each operation's own: ten clients
 * each asking for the most one operation may cost would otherwise hold ten such responses in memory
 * together and take turns on the event loop for all of them. An operation that fits in what is left
 * runs at once, so cheap ones never wait behind costly ones; one that does not fit waits, first come
 * first served among those waiting, until enough of the running ones have finished, and is refused
 * when its wait runs out (a steady stream of operations that fit can keep it waiting that long).
 */
export class CostAdmission {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: CostAdmissionLimits) {}

  /** What the running operations cost together. */
  get runningCost(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with the function that gives the room back once the operation has run; rejects with
   * AdmissionRefused when it cannot wait. A cost above maxConcurrentCost is admitted alone.
   */
  admit(cost: number): Promise<() => void> {
    const charged = Math.min(Math.max(0, cost), this.limits.maxConcurrentCost);
    // What fits runs even while costlier operations wait: they wait for room, not for their turn.
    if (this.fits(charged)) return Promise.resolve(this.take(charged));
    if (this.waiting.length >= this.limits.maxQueuedOperations) {
      return Promise.reject(
        new AdmissionRefused(
          `the server is running operations that cost ${this.running} together, and ${this.waiting.length} more wait; try again later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cost: charged,
        admit: resolve,
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(
            new AdmissionRefused(
              `the server was busy with other operations for ${this.limits.maxQueueWaitMs} ms; try again later`,
            ),
          );
        }, this.limits.maxQueueWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private fits(cost: number): boolean {
    return this.running === 0 || this.running + cost <= this.limits.maxConcurrentCost;
  }

  private take(cost: number): () => void {
    this.running += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= cost;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.cost)) {
      const next = this.waiting.shift()!;
      clearTimeout(next.timer);
      next.admit(this.take(next.cost));
    }
  }
}
