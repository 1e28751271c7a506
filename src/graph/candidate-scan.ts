import type { ResourcePredicate } from "./filter.js";
import type { StoredResource } from "./types.js";

/** Candidates looked at between two looks at the clock: enough that reading it costs nothing. */
const candidatesPerClockRead = 256;

/**
 * A read of a fixed sequence of candidates that visits each match. It can stop at a deadline and go on
 * later, so a scan of a huge graph can leave the event loop to others between slices.
 */
export abstract class CandidateScan {
  private finished = false;

  constructor(
    private candidates: IterableIterator<StoredResource>,
    private readonly matches: ResourcePredicate,
  ) {}

  protected abstract visit(match: StoredResource): void;

  /** Reads candidates until none are left or performance.now() passes `deadline`; true when none are left. */
  advance(deadline = Number.POSITIVE_INFINITY): boolean {
    const { candidates, matches } = this;
    let sinceClockRead = 0;
    while (!this.finished) {
      const next = candidates.next();
      if (next.done === true) {
        this.finished = true;
        break;
      }
      if (matches(next.value)) this.visit(next.value);
      if (++sinceClockRead === candidatesPerClockRead) {
        sinceClockRead = 0;
        if (performance.now() > deadline) break;
      }
    }
    return this.finished;
  }

  /**
   * Copies the candidates not read yet, so that the scan no longer reads the live index: called in the
   * turn the scan started, it fixes what the rest of the scan sees to the graph of that moment.
   */
  detach(): void {
    const rest = Array.from(this.candidates);
    this.candidates = rest.values();
  }
}
