// The leader's side of replication: every change its graph commits for its cluster, published to the
// cluster's change stream in order, each as the stream sequence that follows the last one. A publish
// says which sequence it expects to follow (Nats-Expected-Last-Sequence), so the stream takes changes
// from one writer only: a second leader, or an old one that has not noticed it lost the lease, is
// refused and stops. Its message id names the writer and the sequence, so a publish sent again after a
// lost acknowledgement is recognised as the same one (nats-server checks the id before the expected
// sequence) while another writer's publish of the same sequence is not.
import { randomBytes } from "node:crypto";
import { JetStreamApiCodes, JetStreamApiError, type PubAck, type StreamInfo } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { ChangeType, ResourceChange, ResourceGraph, StoredResource } from "../../graph/index.js";
import { Backoff, type Logger, type ResourceType } from "../../kube/index.js";
import { resolveBounds } from "./bounds.js";
import type { JetStreamClients, ReplicationLink } from "./replication-link.js";
import { TypeJsonCache } from "./resource-types.js";
import { objectSubject, safeToken, streamEpoch } from "./stream-names.js";
import type { ClusterStreams } from "./stream-setup.js";
import { TombstonePruner } from "./tombstone-pruner.js";
import { encodeChange } from "./wire.js";

export interface ChangePublisherLimits {
  /** Bytes of changes waiting for the stream (while NATS is away or slow) before it gives up (256 MiB). */
  maxPendingBytes?: number;
  /** Publishes awaiting their acknowledgement at once (256). */
  maxInFlightMessages?: number;
  /** Bytes of those publishes (8 MiB). */
  maxInFlightBytes?: number;
  /** The largest message; lowered to the server's max_payload. A larger object goes out as its identity (1 MiB). */
  maxMessageBytes?: number;
  /** Backoff between attempts after a failed publish, in milliseconds (100 to 5 000). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How long a deleted object's message stays in the snapshot (10 minutes). */
  tombstoneGraceMs?: number;
}

export const defaultChangePublisherLimits: Required<ChangePublisherLimits> = {
  maxPendingBytes: 256 * 1024 * 1024,
  maxInFlightMessages: 256,
  maxInFlightBytes: 8 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
  retryMinMs: 100,
  retryMaxMs: 5_000,
  tombstoneGraceMs: 10 * 60 * 1000,
};

export interface ChangePublisherOptions {
  link: ReplicationLink;
  /** The leader's graph: its log's committed changes of `streams.cluster` are published. */
  graph: ResourceGraph;
  streams: ClusterStreams;
  /** The served type of a type name (the engine's); absent or unknown, the type is read off the object. */
  resourceTypeOf?: (typeName: string) => ResourceType | undefined;
  logger: Logger;
  limits?: ChangePublisherLimits;
  /**
   * Names this writer in its message ids (e.g. the pod name; made safe): two writers must not share
   * one. Random unless given.
   */
  writerId?: string;
  /** The stream took a change from another writer: this publisher has stopped. Called once. */
  onFenced: (reason: string) => void;
  /** More changes waited than maxPendingBytes allows: this publisher has stopped. Called once. */
  onOverflow: (reason: string) => void;
}

export type ChangePublisherState = "idle" | "starting" | "running" | "stopped" | "fenced" | "overflowed";

export interface ChangePublisherCounters {
  /** Changes the stream acknowledged. */
  published: number;
  /** Acknowledgements that said the stream already had the message (a publish sent again). */
  duplicates: number;
  /** Times publishing started over from the first unacknowledged change after a failure. */
  retries: number;
  /** Changes whose object was too large and went out as its identity only. */
  truncated: number;
}

interface PendingChange {
  readonly sequence: number;
  readonly type: ChangeType;
  readonly resource: StoredResource;
  readonly time: number;
  data: Uint8Array | undefined;
  /** Counted against maxPendingBytes: an estimate until encoded, the message's size after. */
  bytes: number;
  status: "waiting" | "sent" | "acked";
  failure: unknown;
}

/** Bytes kept for a publish's headers (message id, expected sequence) within the server's max_payload. */
const headerAllowance = 512;

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence;
}

/**
 * Publishes a graph's committed changes of one cluster to its change stream: pipelined, strictly in
 * order, each exactly once. While NATS is away the changes wait (bounded by bytes) and go out once it
 * is back; an unacknowledged publish is sent again, and the stream recognises one it already has.
 */
export class ChangePublisher {
  private readonly limits: Required<ChangePublisherLimits>;
  private readonly writer: string;
  private readonly clusterJson: string;
  private readonly types: TypeJsonCache;
  private readonly backoff: Backoff;
  private pruner: TombstonePruner | undefined;
  private currentState: ChangePublisherState = "idle";
  private unsubscribe: (() => void) | undefined;
  private stopLink: (() => void) | undefined;
  /** Unacknowledged changes from `head` on, in sequence order; `next` is the first not yet sent. */
  private entries: PendingChange[] = [];
  private head = 0;
  private next = 0;
  private pendingBytes = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private recovering = false;
  private scheduled = false;
  /** Bumped when the publisher stops, so that late answers change nothing. */
  private generation = 0;
  private nextSequence = 0;
  private acknowledged = 0;
  private settledWaiters: (() => void)[] = [];
  private wakeHalted: () => void = () => {};
  /** Resolves when the publisher stops: what every wait for NATS races against. */
  private readonly haltedSignal = new Promise<undefined>((resolve) => {
    this.wakeHalted = () => resolve(undefined);
  });
  readonly counters: ChangePublisherCounters = { published: 0, duplicates: 0, retries: 0, truncated: 0 };

  constructor(private readonly options: ChangePublisherOptions) {
    this.limits = resolveBounds(defaultChangePublisherLimits, options.limits ?? {}, "change publisher limit");
    this.writer =
      options.writerId === undefined ? randomBytes(4).toString("hex") : safeToken(options.writerId);
    const { cluster } = options.streams;
    this.clusterJson = JSON.stringify({ id: cluster.id, name: cluster.name });
    this.types = new TypeJsonCache(options.resourceTypeOf);
    this.backoff = new Backoff({
      initialMs: this.limits.retryMinMs,
      maxMs: this.limits.retryMaxMs,
      jitter: 0.25,
    });
  }

  get state(): ChangePublisherState {
    return this.currentState;
  }

  /** The highest stream sequence the stream has acknowledged from this publisher (or started from). */
  get lastPublished(): number {
    return this.acknowledged;
  }

  /** Changes committed and not yet acknowledged by the stream. */
  get pending(): number {
    return this.entries.length - this.head;
  }

  get pendingBytesCount(): number {
    return this.pendingBytes;
  }

  /** Deleted objects pruned from the snapshot since start. */
  get prunedTombstones(): number {
    return this.pruner?.pruned ?? 0;
  }

  /**
   * Starts publishing what the graph commits from now on, as the sequences after `fromSequence`.
   * Refused (rejects, publishes nothing) unless the change stream's last sequence is `fromSequence`
   * and the stream is the one `streams` names (its epoch): a replica that is not caught up with the
   * stream, or a stream made again since, must not be written on. Changes committed while the check
   * runs are kept and go out after it. Waits for NATS while it is away.
   */
  async start(fromSequence: number): Promise<void> {
    if (this.currentState !== "idle")
      throw new Error(`change publisher cannot start: it is ${this.currentState}`);
    if (!Number.isSafeInteger(fromSequence) || fromSequence < 0)
      throw new RangeError("change publisher must start from a whole sequence number");
    this.currentState = "starting";
    this.nextSequence = fromSequence + 1;
    this.acknowledged = fromSequence;
    const clusterId = this.options.streams.cluster.id;
    // Subscribed in the caller's turn: nothing committed after start() is called can be missed.
    this.unsubscribe = this.options.graph.log.subscribe((change) => {
      if (change.resource.clusterId === clusterId) this.enqueue(change);
    });
    try {
      await this.checkStream(fromSequence);
    } catch (error) {
      if (this.currentState === "starting") this.halt("stopped");
      throw error;
    }
    if (this.currentState !== "starting")
      throw new Error(`change publisher ${this.currentState} while starting`);
    this.currentState = "running";
    this.pruner = new TombstonePruner({
      link: this.options.link,
      snapshotStream: this.options.streams.names.snapshotStream,
      graceMs: this.limits.tombstoneGraceMs,
      logger: this.options.logger,
    });
    this.stopLink = this.options.link.onUp(() => this.kick());
    this.kick();
  }

  private async checkStream(fromSequence: number): Promise<void> {
    const { names, epoch } = this.options.streams;
    for (;;) {
      const clients = await this.whenUp();
      if (clients === undefined || this.currentState !== "starting")
        throw new Error("change publisher stopped while starting");
      let info: StreamInfo;
      try {
        info = await clients.jsm.streams.info(names.changeStream);
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
          throw new Error(`change stream ${names.changeStream} does not exist`);
        this.options.logger.warn(
          { stream: names.changeStream, error: (error as Error).message },
          "could not read the change stream before publishing; trying again",
        );
        await new Promise((resolve) => setTimeout(resolve, this.backoff.next()));
        continue;
      }
      this.backoff.reset();
      if (streamEpoch(names.changeStream, info.created) !== epoch)
        throw new Error(
          `change stream ${names.changeStream} was made again since its epoch ${epoch} was read`,
        );
      if (info.state.last_seq !== fromSequence)
        throw new Error(
          `change stream ${names.changeStream} ends at sequence ${info.state.last_seq}, not ${fromSequence}: not caught up`,
        );
      return;
    }
  }

  private whenUp(): Promise<JetStreamClients | undefined> {
    return Promise.race([this.options.link.whenUp(), this.haltedSignal]);
  }

  private enqueue(change: ResourceChange): void {
    if (this.currentState !== "starting" && this.currentState !== "running") return;
    const { type, resource, time } = change;
    const bytes = resource.heapSize;
    this.entries.push({
      sequence: this.nextSequence++,
      type,
      resource,
      time,
      data: undefined,
      bytes,
      status: "waiting",
      failure: undefined,
    });
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.limits.maxPendingBytes) {
      const reason = `${this.pending} changes (${this.pendingBytes} bytes) waited for the change stream, more than the ${this.limits.maxPendingBytes}-byte bound`;
      this.options.logger.error(
        { stream: this.options.streams.names.changeStream },
        `replication publisher overflowed: ${reason}`,
      );
      this.halt("overflowed");
      this.options.onOverflow(reason);
      return;
    }
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.currentState !== "running") return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** The largest message body: the server's max_payload counts the headers too. */
  private maxMessageBytes(): number {
    const server = this.options.link.maxPayload;
    const max =
      server !== undefined && server > 0
        ? Math.min(server, this.limits.maxMessageBytes)
        : this.limits.maxMessageBytes;
    return Math.max(1024, max - headerAllowance);
  }

  private pump(): void {
    if (this.currentState !== "running" || this.recovering) return;
    const clients = this.options.link.clients;
    if (clients === undefined) return;
    while (
      this.next < this.entries.length &&
      this.inFlight < this.limits.maxInFlightMessages &&
      this.inFlightBytes < this.limits.maxInFlightBytes
    ) {
      const entry = this.entries[this.next++]!;
      if (entry.status === "waiting") this.send(clients, entry);
    }
  }

  private encode(entry: PendingChange): Uint8Array {
    if (entry.data !== undefined) return entry.data;
    const { data, truncated } = encodeChange(
      entry.sequence,
      entry.type,
      this.clusterJson,
      this.types.jsonOf(entry.resource),
      entry.resource,
      entry.time,
      this.maxMessageBytes(),
    );
    if (truncated) {
      this.counters.truncated++;
      this.options.logger.error(
        { key: entry.resource.key, bytes: entry.resource.textLength, maxBytes: this.maxMessageBytes() },
        "object too large for a replication message: replicas get only its identity",
      );
    }
    this.pendingBytes += data.length - entry.bytes;
    entry.bytes = data.length;
    entry.data = data;
    return data;
  }

  private messageId(sequence: number): string {
    return `${this.options.streams.epoch}-${sequence}-${this.writer}`;
  }

  private send(clients: JetStreamClients, entry: PendingChange): void {
    const data = this.encode(entry);
    const headers = natsHeaders();
    headers.set("Nats-Msg-Id", this.messageId(entry.sequence));
    headers.set("Nats-Expected-Last-Sequence", String(entry.sequence - 1));
    entry.status = "sent";
    entry.failure = undefined;
    this.inFlight++;
    this.inFlightBytes += data.length;
    const generation = this.generation;
    let published: Promise<PubAck>;
    try {
      published = clients.js.publish(objectSubject(this.options.streams.names, entry.resource.uid), data, {
        headers,
        timeout: this.options.link.requestTimeoutMs,
      });
    } catch (error) {
      published = Promise.reject(error);
    }
    published.then(
      (ack) => this.acked(entry, ack, generation),
      (error: unknown) => this.failed(entry, error, generation),
    );
  }

  private acked(entry: PendingChange, ack: PubAck, generation: number): void {
    if (generation !== this.generation) return;
    this.inFlight--;
    this.inFlightBytes -= entry.bytes;
    if (ack.seq !== entry.sequence) {
      this.fence(`the change stream stored change ${entry.sequence} as sequence ${ack.seq}`);
      return;
    }
    if (ack.duplicate) this.counters.duplicates++;
    entry.status = "acked";
    this.backoff.reset();
    this.advance();
    this.afterAnswer();
  }

  private failed(entry: PendingChange, error: unknown, generation: number): void {
    if (generation !== this.generation) return;
    this.inFlight--;
    this.inFlightBytes -= entry.bytes;
    entry.status = "waiting";
    entry.failure = error;
    this.recovering = true;
    this.afterAnswer();
  }

  private advance(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.status === "acked") {
      const entry = this.entries[this.head]!;
      this.acknowledged = entry.sequence;
      this.pendingBytes -= entry.bytes;
      this.counters.published++;
      if (entry.type === "DELETED")
        this.pruner?.note(objectSubject(this.options.streams.names, entry.resource.uid), entry.sequence);
      this.head++;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
      this.next = 0;
      for (const resolve of this.settledWaiters.splice(0)) resolve();
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.next -= this.head;
      this.head = 0;
    }
  }

  private afterAnswer(): void {
    if (this.currentState !== "running") return;
    if (!this.recovering) {
      this.kick();
      return;
    }
    if (this.inFlight === 0) void this.recover();
  }

  /**
   * Every publish has answered and one failed: start again from the first change not acknowledged.
   * A refusal of that one for its expected sequence is either another writer's doing or, after an
   * outage longer than the duplicate window, our own earlier publish of it: the stream's message at
   * that sequence tells which.
   */
  private async recover(): Promise<void> {
    const generation = this.generation;
    this.counters.retries++;
    const first = this.entries[this.head];
    const failure = first?.failure;
    if (first !== undefined && isWrongLastSequence(failure)) {
      const verdict = await this.storedBy(first);
      if (generation !== this.generation) return;
      if (verdict === "other") {
        this.fence(
          `the change stream refused change ${first.sequence}: ${(failure as Error).message}; another writer holds it`,
        );
        return;
      }
      if (verdict === "this") {
        first.status = "acked";
        this.advance();
      }
    } else if (failure !== undefined) {
      this.options.logger.warn(
        {
          stream: this.options.streams.names.changeStream,
          sequence: first?.sequence,
          error: (failure as Error).message,
        },
        "replication publish failed; sending again from the first unacknowledged change",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, this.backoff.next()));
    if (generation !== this.generation) return;
    await this.whenUp();
    if (generation !== this.generation) return;
    this.next = this.head;
    this.recovering = false;
    this.kick();
  }

  /** Whose message the change stream holds at this change's sequence: this writer's, another's, or unknown. */
  private async storedBy(entry: PendingChange): Promise<"this" | "other" | "unknown"> {
    const clients = await this.whenUp();
    if (clients === undefined) return "unknown";
    try {
      const stored = await clients.jsm.streams.getMessage(this.options.streams.names.changeStream, {
        seq: entry.sequence,
      });
      if (stored === null) return "other";
      return stored.header.get("Nats-Msg-Id") === this.messageId(entry.sequence) ? "this" : "other";
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound)
        return "other";
      return "unknown";
    }
  }

  private fence(reason: string): void {
    if (this.currentState !== "running") return;
    this.options.logger.error(
      { stream: this.options.streams.names.changeStream, lastPublished: this.acknowledged },
      `replication publisher fenced: ${reason}`,
    );
    this.halt("fenced");
    this.options.onFenced(reason);
  }

  private halt(state: ChangePublisherState): void {
    this.currentState = state;
    this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopLink?.();
    this.stopLink = undefined;
    this.pruner?.stop();
    this.wakeHalted();
    this.entries = [];
    this.head = 0;
    this.next = 0;
    this.pendingBytes = 0;
    this.inFlight = 0;
    this.inFlightBytes = 0;
    for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  /**
   * Stops at once: nothing more is sent from this call on (what is already on the wire may still be
   * stored). What a replica that has lost its lease calls, so that it falls silent.
   */
  stop(): void {
    if (
      this.currentState === "fenced" ||
      this.currentState === "overflowed" ||
      this.currentState === "stopped"
    )
      return;
    this.halt("stopped");
  }

  /** Resolves true once every committed change is acknowledged, false after `timeoutMs` or a stop. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return this.currentState === "running" || this.currentState === "starting";
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.settledWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return done && this.pending === 0 && this.currentState === "running";
  }
}
