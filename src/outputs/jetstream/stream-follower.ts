// The gateway's (and the standby's) side of replication: a graph built from one cluster's streams.
// The snapshot first, then the change stream from the change after it, then live. With aligned
// cursors the graph's change log is moved to the stream's epoch and sequence once the snapshot is in,
// and each change the stream holds is one change of the graph's log, so every replica hands out the
// same cursors as the leader.
import {
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JsMsg,
} from "@nats-io/jetstream";
import type { ResourceGraph } from "../../graph/index.js";
import { Backoff, type Logger } from "../../kube/index.js";
import { ChangeApplier } from "./change-applier.js";
import type { JetStreamClients, ReplicationLink } from "./replication-link.js";
import { readSnapshot } from "./snapshot-reader.js";
import { streamEpoch } from "./stream-names.js";
import { type ClusterStreams, epochOfSnapshotStream, ReplicationStreamError } from "./stream-setup.js";

export interface StreamFollowerOptions {
  link: ReplicationLink;
  streams: ClusterStreams;
  /** The graph fed: this cluster's objects only, when alignCursors. */
  graph: ResourceGraph;
  /**
   * Move the graph's change log to the stream's epoch and sequences (ChangeLog.rebase): the graph must
   * hold nothing else and nobody may listen to its log until bootstrap() has resolved.
   */
  alignCursors: boolean;
  logger: Logger;
  /**
   * The graph no longer holds what the stream says (a refused message, a gap, a log out of step, the
   * stream made again or gone). Called once; the follower goes on applying what it can. The remedy is
   * a new graph bootstrapped again.
   */
  onDiverged: (reason: string) => void;
  /** The largest message read; a larger one is refused (8 MiB by default). */
  maxMessageBytes?: number;
  /** How often the change stream's end is read for lag() and for a stream made again (1 000 ms). */
  infoIntervalMs?: number;
}

export interface StreamFollowerCounters {
  /** Messages read from the snapshot at bootstrap. */
  snapshotMessages: number;
  /** Messages read from the change stream. */
  changeMessages: number;
  /** Messages refused (malformed, of another sequence or cluster). */
  malformed: number;
}

export type StreamFollowerState = "idle" | "bootstrapping" | "following" | "stopped";

interface CatchUpWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class StreamFollower {
  private readonly applier: ChangeApplier;
  private readonly backoff = new Backoff({ initialMs: 200, maxMs: 5_000, jitter: 0.25 });
  private readonly infoIntervalMs: number;
  private currentState: StreamFollowerState = "idle";
  private appliedSequence = 0;
  private appliedAt: number | undefined;
  private snapshotAt: number | undefined;
  private streamLast = 0;
  private streamLastAt = 0;
  private streamReadAt: number | undefined;
  private divergedReason: string | undefined;
  private messages: ConsumerMessages | undefined;
  private following: Promise<void> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private waiters: CatchUpWaiter[] = [];
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private wakeStopped: () => void = () => {};
  /** Resolves when the follower stops: what every wait for NATS races against. */
  private readonly stoppedSignal = new Promise<undefined>((resolve) => {
    this.wakeStopped = () => resolve(undefined);
  });
  private readonly counts = { snapshotMessages: 0, changeMessages: 0 };

  constructor(private readonly options: StreamFollowerOptions) {
    this.infoIntervalMs = options.infoIntervalMs ?? 1_000;
    this.applier = new ChangeApplier(
      options.graph,
      options.streams.cluster,
      options.maxMessageBytes ?? 8 * 1024 * 1024,
      options.logger,
      (reason) => this.diverge(reason),
    );
  }

  get state(): StreamFollowerState {
    return this.currentState;
  }

  /** The stream sequence of the last change applied (the snapshot's S right after bootstrap). */
  get applied(): number {
    return this.appliedSequence;
  }

  /** The change sequence the snapshot was read at; undefined before bootstrap. */
  get snapshotSequence(): number | undefined {
    return this.snapshotAt;
  }

  /** Why the graph no longer follows the stream; undefined while it does. */
  get diverged(): string | undefined {
    return this.divergedReason;
  }

  get counters(): StreamFollowerCounters {
    return { ...this.counts, malformed: this.applier.malformed };
  }

  /**
   * Reads the snapshot into the graph, aligns its log when asked, and starts following the change
   * stream from the change after the snapshot; resolves once following has begun. Rejects when the
   * streams are missing, were made again since `streams` was read, or no longer hold the changes after
   * the snapshot (the snapshot lags more than the change stream keeps), or when NATS fails midway:
   * then bootstrap again, on a new graph.
   */
  async bootstrap(): Promise<void> {
    if (this.currentState !== "idle")
      throw new Error(`stream follower cannot bootstrap: it is ${this.currentState}`);
    this.currentState = "bootstrapping";
    const { names, epoch, cluster } = this.options.streams;
    try {
      const clients = await this.whenUp();
      if (clients === undefined || this.stopping())
        throw new Error("stream follower stopped while bootstrapping");
      const change = await clients.jsm.streams.info(names.changeStream);
      if (streamEpoch(names.changeStream, change.created) !== epoch)
        throw new ReplicationStreamError(
          `change stream ${names.changeStream} was made again since it was listed`,
        );
      const snapshot = await clients.jsm.streams.info(names.snapshotStream);
      if (epochOfSnapshotStream(snapshot) !== epoch)
        throw new ReplicationStreamError(
          `snapshot stream ${names.snapshotStream} is not of change stream epoch ${epoch}`,
        );
      this.options.graph.addCluster(cluster);
      const read = await readSnapshot(clients, names.snapshotStream, this.applier, () => this.stopping());
      this.counts.snapshotMessages = read.messages;
      const after = await clients.jsm.streams.info(names.changeStream);
      if (after.state.last_seq > read.sequence && after.state.first_seq > read.sequence + 1)
        throw new ReplicationStreamError(
          `change stream ${names.changeStream} starts at ${after.state.first_seq}: the changes after the snapshot's ${read.sequence} are gone`,
        );
      if (this.options.alignCursors) this.options.graph.log.rebase(epoch, read.sequence);
      this.snapshotAt = read.sequence;
      this.appliedSequence = read.sequence;
      this.noteStreamEnd(after.state.last_seq, after.state.last_ts);
    } catch (error) {
      if (this.currentState === "bootstrapping") this.currentState = "stopped";
      throw error;
    }
    if (this.stopping()) throw new Error("stream follower stopped while bootstrapping");
    this.currentState = "following";
    this.releaseWaiters();
    this.following = this.follow();
    this.poller = setInterval(() => void this.poll(), this.infoIntervalMs);
    this.poller.unref();
  }

  private whenUp(): Promise<JetStreamClients | undefined> {
    return Promise.race([this.options.link.whenUp(), this.stoppedSignal]);
  }

  private stopping(): boolean {
    return this.currentState === "stopped";
  }

  private async follow(): Promise<void> {
    // After a lost connection the server may have restarted and forgotten the consumer; the ordered
    // consumer would notice only after missing heartbeats for half a minute. A new one from the next
    // change is made at once instead.
    const stopListening = this.options.link.onUp(() => void this.messages?.close().catch(() => undefined));
    try {
      await this.followUntilStopped();
    } finally {
      stopListening();
    }
  }

  private async followUntilStopped(): Promise<void> {
    const { names } = this.options.streams;
    while (!this.stopping()) {
      const clients = await this.whenUp();
      if (clients === undefined || this.stopping()) break;
      try {
        const consumer = await clients.js.consumers.get(names.changeStream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.appliedSequence + 1,
        });
        if (this.stopping()) break;
        const messages = await consumer.consume({ max_messages: 256 });
        this.messages = messages;
        if (this.stopping()) await messages.close();
        for await (const message of messages) {
          if (this.stopping()) break;
          this.applyChange(message);
          this.backoff.reset();
        }
      } catch (error) {
        if (this.stopping()) break;
        this.options.logger.warn(
          { stream: names.changeStream, error: (error as Error).message },
          "reading the change stream failed; reading again from the next change",
        );
      } finally {
        const messages = this.messages;
        this.messages = undefined;
        await messages?.close().catch(() => undefined);
      }
      if (!this.stopping()) await this.sleep(this.backoff.next());
    }
  }

  private applyChange(message: JsMsg): void {
    const { names } = this.options.streams;
    const sequence = message.seq;
    // An ordered consumer delivers each message once; one at or before what is applied is not news.
    if (sequence <= this.appliedSequence) return;
    if (sequence !== this.appliedSequence + 1)
      this.diverge(
        `change stream ${names.changeStream} went from ${this.appliedSequence} to ${sequence}: changes are missing`,
      );
    this.counts.changeMessages++;
    this.applier.apply(names.changeStream, sequence, message.data);
    this.appliedSequence = sequence;
    this.appliedAt = message.time.getTime();
    const log = this.options.graph.log;
    if (this.options.alignCursors && log.sequence !== sequence)
      this.diverge(
        `graph change log is at ${log.sequence} after change ${sequence} of ${names.changeStream}`,
      );
    if (this.waiters.length > 0) this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiting: CatchUpWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.target <= this.appliedSequence) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }

  private diverge(reason: string): void {
    if (this.divergedReason !== undefined) return;
    this.divergedReason = reason;
    this.options.logger.error(
      { stream: this.options.streams.names.changeStream },
      `replica diverged: ${reason}`,
    );
    try {
      this.options.onDiverged(reason);
    } catch (error) {
      this.options.logger.error({ error: (error as Error).message }, "onDiverged failed");
    }
  }

  private noteStreamEnd(lastSequence: number, lastTs: string): void {
    this.streamReadAt = Date.now();
    this.streamLast = lastSequence;
    const at = Date.parse(lastTs);
    this.streamLastAt = Number.isFinite(at) ? at : 0;
  }

  /** Reads the change stream's end: for lag(), and to notice the stream made again or gone. */
  private async poll(): Promise<void> {
    const clients = this.options.link.clients;
    if (this.polling || clients === undefined || this.currentState !== "following") return;
    this.polling = true;
    const { names, epoch } = this.options.streams;
    try {
      const info = await clients.jsm.streams.info(names.changeStream);
      if (streamEpoch(names.changeStream, info.created) !== epoch)
        this.diverge(`change stream ${names.changeStream} was made again`);
      this.noteStreamEnd(info.state.last_seq, info.state.last_ts);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
        this.diverge(`change stream ${names.changeStream} is gone`);
    } finally {
      this.polling = false;
    }
  }

  /**
   * When the stream's end was last read (epoch ms): a follower cut off from NATS keeps its last lag,
   * so how old that reading is tells whether the lag can still be believed.
   */
  get streamReadTime(): number | undefined {
    return this.streamReadAt;
  }

  /**
   * How far behind the stream the graph is, as of the last read of its end (at most one a second
   * ago): changes not yet applied, and how much older the last applied one is than the stream's newest.
   */
  lag(): { changes: number; ms: number } {
    const changes = Math.max(0, this.streamLast - this.appliedSequence);
    if (changes === 0) return { changes, ms: 0 };
    const appliedAt = this.appliedAt ?? this.streamLastAt;
    return { changes, ms: Math.max(0, this.streamLastAt - appliedAt) };
  }

  /**
   * Resolves once every change the stream holds now is applied: the stream's last sequence is read
   * after the call, so a replica taking over as leader has seen everything the old one published.
   * Rejects when the follower stops first.
   */
  async caughtUp(): Promise<void> {
    if (this.currentState === "stopped" || this.currentState === "idle")
      throw new Error(`stream follower is ${this.currentState}`);
    const clients = await this.whenUp();
    if (clients === undefined) throw new Error("stream follower stopped");
    const info = await clients.jsm.streams.info(this.options.streams.names.changeStream);
    this.noteStreamEnd(info.state.last_seq, info.state.last_ts);
    const target = info.state.last_seq;
    if (this.currentState === "following" && this.appliedSequence >= target) return;
    if (this.stopping()) throw new Error("stream follower stopped");
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
    });
  }

  /** Stops between two messages; resolves once nothing more will be applied. */
  async stop(): Promise<void> {
    if (this.currentState === "stopped") return;
    this.currentState = "stopped";
    if (this.poller !== undefined) clearInterval(this.poller);
    this.poller = undefined;
    this.sleeper?.wake();
    this.wakeStopped();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error("stream follower stopped"));
    await this.messages?.close().catch(() => undefined);
    await this.following;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, ms);
      this.sleeper = {
        timer,
        wake: () => {
          clearTimeout(timer);
          this.sleeper = undefined;
          resolve();
        },
      };
    });
  }
}
