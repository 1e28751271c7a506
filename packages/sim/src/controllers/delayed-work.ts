// Work a controller does a moment after a change, once per key: a store listener must not write
// (it runs inside the write that told it), and a real controller reacts after a short delay too.

export class DelayedWork {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  /** Runs `work` after `delayMs`, unless work for the same key is already waiting. */
  schedule(key: string, delayMs: number, work: () => void): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (this.stopped) return;
      try {
        work();
      } catch {
        // The object changed or went meanwhile (a conflict, a NotFound): the next change reschedules.
      }
    }, delayMs);
    // A simulator that is otherwise done must not be kept alive by a pending reaction.
    timer.unref();
    this.timers.set(key, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
