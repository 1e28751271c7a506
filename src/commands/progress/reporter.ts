// Says how the first sync is getting on until meshsync is ready: on a terminal, a compact line
// drawn in place a few times a second; otherwise a structured log line every few seconds, which
// is what a pod's log shows. Then one line with the total, the time it took and the rate.
import type { SyncProgress } from "../../kube/index.js";
import type { StatusLine } from "./status-line.js";

export interface ProgressLogger {
  info(fields: object, message: string): void;
}

export interface ProgressReporterOptions {
  progress: () => SyncProgress;
  /** True once meshsync is ready; the reporter then says so once and stops. */
  finished: () => boolean;
  logger: ProgressLogger;
  /** A terminal's status line: progress is drawn there; without one, it is logged. */
  statusLine?: StatusLine | undefined;
  /** When the sync began (ms, on the clock of `now`). */
  since: number;
  now?: () => number;
}

export interface ProgressSample extends SyncProgress {
  /** Over the last few seconds. */
  objectsPerSecond: number;
}

/** How often the sync is looked at: the terminal's line is redrawn, and the end noticed, this soon. */
const lookIntervalMs = 250;
const logIntervalMs = 5_000;
/** The rate is taken over this much of the recent past: steady enough to read, recent enough to mean now. */
const rateWindowMs = 5_000;

const counts = new Intl.NumberFormat("en-US");

/** The terminal's line, e.g. "syncing: 57/130 types listed, 120,345 objects, 8,200 objects/s". */
export function describeProgress(sample: ProgressSample): string {
  if (sample.clustersTotal === 0) return "syncing: waiting for a cluster to answer";
  if (sample.typesTotal === 0) return "syncing: discovering resource types";
  const parts = [
    `${sample.typesSynced}/${sample.typesTotal} types listed`,
    `${counts.format(sample.objects)} objects`,
    `${counts.format(sample.objectsPerSecond)} objects/s`,
  ];
  if (sample.typesForbidden > 0) parts.push(`${sample.typesForbidden} forbidden`);
  if (sample.clustersTotal > 1)
    parts.push(`${sample.clustersDiscovered}/${sample.clustersTotal} clusters discovered`);
  return `syncing: ${parts.join(", ")}`;
}

export class ProgressReporter {
  private readonly options: ProgressReporterOptions;
  private readonly now: () => number;
  /** Object counts, oldest first: the first is the newest at least a rate window old, once there is one. */
  private readonly recent: { at: number; objects: number }[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastLogged: number;

  constructor(options: ProgressReporterOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.recent = [{ at: options.since, objects: 0 }];
    this.lastLogged = options.since;
  }

  start(): this {
    // Looked at often even when it only logs every few seconds, so that the end (and its time) is
    // said when it happens, not at the next log line.
    this.timer = setInterval(() => this.tick(), lookIntervalMs);
    this.timer.unref();
    return this;
  }

  /** One look at the sync: drawn or logged, or, once it is finished, said once and stopped. */
  tick(): void {
    if (this.stopped) return;
    const at = this.now();
    const progress = this.options.progress();
    if (this.options.finished()) {
      this.finish(at, progress);
      return;
    }
    const sample = { ...progress, objectsPerSecond: this.rate(at, progress.objects) };
    if (this.options.statusLine) this.options.statusLine.show(describeProgress(sample));
    else if (sample.typesTotal > 0 && at - this.lastLogged >= logIntervalMs) {
      this.lastLogged = at;
      this.options.logger.info(sample, "sync progress");
    }
  }

  /** Stops without a word (at shutdown), taking the terminal's line away. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.options.statusLine?.clear();
  }

  private finish(at: number, progress: SyncProgress): void {
    this.stop();
    const seconds = Math.max(0, at - this.options.since) / 1000;
    this.options.logger.info(
      {
        ...progress,
        seconds: Math.round(seconds * 10) / 10,
        objectsPerSecond: seconds > 0 ? Math.round(progress.objects / seconds) : 0,
      },
      "first sync finished",
    );
  }

  private rate(at: number, objects: number): number {
    this.recent.push({ at, objects });
    while (this.recent.length > 2 && at - this.recent[1]!.at >= rateWindowMs) this.recent.shift();
    const first = this.recent[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, Math.round((objects - first.objects) / seconds)) : 0;
  }
}
