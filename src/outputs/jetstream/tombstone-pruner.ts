// The snapshot keeps the last message of every object, a deleted object's DELETED included: without
// pruning it would grow by one message per object ever deleted. The publisher notes each DELETED the
// stream stored; some minutes later (so that a follower reading the snapshot meanwhile still sees it)
// the snapshot's messages of that object up to it are purged. A later message of the same subject is
// kept: a purge reaches only up to the DELETED's own sequence.
import type { Logger } from "../../kube/index.js";
import type { ReplicationLink } from "./replication-link.js";

export interface TombstonePrunerOptions {
  link: ReplicationLink;
  snapshotStream: string;
  /** How long a DELETED stays in the snapshot (10 minutes by default). */
  graceMs?: number;
  /** DELETEDs remembered at once; beyond it the oldest are left in the snapshot (100 000 by default). */
  maxTracked?: number;
  logger: Logger;
}

interface Tombstone {
  readonly subject: string;
  readonly sequence: number;
  readonly at: number;
}

export class TombstonePruner {
  private queue: Tombstone[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly graceMs: number;
  private readonly maxTracked: number;
  private leftBehind = 0;
  /** Tombstones purged since start. */
  pruned = 0;

  constructor(private readonly options: TombstonePrunerOptions) {
    this.graceMs = options.graceMs ?? 10 * 60 * 1000;
    this.maxTracked = options.maxTracked ?? 100_000;
    this.timer = setInterval(() => void this.prune(), Math.max(250, Math.min(60_000, this.graceMs / 4)));
    this.timer.unref();
  }

  /** The stream stored a DELETED at this sequence on this subject. */
  note(subject: string, sequence: number): void {
    if (this.stopped) return;
    if (this.queue.length - this.head >= this.maxTracked) {
      this.head++;
      if (this.leftBehind++ === 0)
        this.options.logger.warn(
          { maxTracked: this.maxTracked },
          "too many deleted objects to prune at once: some stay in the replication snapshot",
        );
    }
    this.queue.push({ subject, sequence, at: Date.now() });
  }

  private async prune(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const due = Date.now() - this.graceMs;
      while (!this.stopped && this.head < this.queue.length && this.queue[this.head]!.at <= due) {
        const clients = this.options.link.clients;
        if (clients === undefined) break;
        const tombstone = this.queue[this.head]!;
        try {
          await clients.jsm.streams.purge(this.options.snapshotStream, {
            filter: tombstone.subject,
            seq: tombstone.sequence + 1,
          });
          this.pruned++;
        } catch (error) {
          this.options.logger.warn(
            { stream: this.options.snapshotStream, error: (error as Error).message },
            "could not prune a deleted object from the replication snapshot; trying again later",
          );
          break;
        }
        this.head++;
      }
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }
}
