import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import { ErrorCode, type FanoutSource, type Sequenced } from "../../api/index.js";
import type { ServerLimits } from "../options.js";
import { Connection } from "./connection.js";
import { Group } from "./group.js";
import type { Render } from "./render.js";
import type { FrameSink, TransportName } from "./sink.js";
import { Subscriber } from "./subscriber.js";

export type FanoutLimits = Pick<
  ServerLimits,
  | "maxSubscriptions"
  | "maxFilterEvaluationsPerChange"
  | "maxBufferedBytes"
  | "socketHighWaterBytes"
  | "coalesceAfterBytes"
  | "maxQueuedBytesPerSocket"
  | "slowSocketTimeoutMs"
  | "coalesceForMs"
>;

/** What the fan-out counts, for metrics. */
export interface FanoutCounters {
  /** A change rendered and serialized for a group. */
  executed(): void;
  /** Frames written to connections. */
  delivered(count: number): void;
  /** A queued change replaced by a newer one of the same object. */
  coalesced(): void;
  /** A subscriber's queue dropped for RESYNC. */
  resynced(): void;
  /** A connection closed for falling behind; `reason` is too_slow or budget. */
  evicted(reason: string): void;
}

export interface FanoutStats {
  connections: Record<TransportName, number>;
  subscriptions: number;
  groups: number;
  /** What matching one committed change against every group's filter costs, in filter evaluations. */
  filterEvaluationsPerChange: number;
  /** Changes committed but not yet rendered and handed out, in the group furthest behind. */
  groupBacklog: number;
  queuedChanges: number;
  deepestQueue: number;
  queuedBytes: number;
  bufferedBytes: number;
}

/** One slice of writing before the event loop gets a turn (timers, health checks, reads). */
const sliceMs = 8;
const sweepEveryMs = 250;
/** Shedding stops a little under the budget, so that one client cannot make it shed on every sweep. */
const shedTo = 0.9;

/**
 * The subscription fan-out of the whole server: groups of alike subscriptions, the connections they
 * write to, the batching of a turn's changes, backpressure and the one budget. Transports open
 * connections and hand it prepared change subscriptions; it decides what is written when.
 */
export class Fanout {
  private readonly groups = new Map<string, Group>();
  private readonly connections = new Set<Connection>();
  private readonly dirtyGroups = new Set<Group>();
  private readonly dirtyConnections = new Set<Connection>();
  private scheduled = false;
  private subscriptionCount = 0;
  private filterEvaluations = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly groupHost;
  private readonly connectionHost;

  constructor(
    private readonly limits: FanoutLimits,
    readonly counters: FanoutCounters,
    private readonly logger: Logger,
  ) {
    this.groupHost = {
      schedule: (group: Group) => {
        this.dirtyGroups.add(group);
        this.schedule();
      },
      dropped: (group: Group) => {
        if (this.groups.get(group.key) === group) {
          this.groups.delete(group.key);
          this.filterEvaluations -= group.evaluations;
        }
        this.dirtyGroups.delete(group);
      },
      counters,
    };
    this.connectionHost = {
      wake: (connection: Connection) => {
        this.dirtyConnections.add(connection);
        this.schedule();
      },
      forget: (connection: Connection) => {
        this.connections.delete(connection);
        this.dirtyConnections.delete(connection);
      },
      counters,
    };
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  /** A new client connection; the transport calls release() on it when it goes away. */
  open(sink: FrameSink, scope: string): Connection {
    const connection = new Connection(sink, this.limits, this.connectionHost, scope);
    this.connections.add(connection);
    return connection;
  }

  /** Open connections of every transport. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Bytes held for all clients together: unsent plus queued. */
  heldBytes(): number {
    let total = 0;
    for (const connection of this.connections) total += connection.heldBytes();
    return total;
  }

  /**
   * Starts a subscription on a connection, in its group (by `key`), where its source says. Refused
   * with SERVER_BUSY when the server runs as many subscriptions, or holds as many bytes, as it may.
   */
  subscribe(
    connection: Connection,
    id: string,
    subscription: FanoutSource<Sequenced>,
    key: string,
    render: Render,
  ): GraphQLError | undefined {
    if (connection.closed) return undefined;
    if (this.subscriptionCount >= this.limits.maxSubscriptions) {
      return busy(`the server runs ${this.subscriptionCount} subscriptions, its limit; try again later`);
    }
    const held = this.heldBytes();
    if (held > this.limits.maxBufferedBytes) {
      return busy(`the server holds ${held} bytes for slow clients, over its budget; try again later`);
    }
    const groupKey = `${connection.scope}\u0000${key}`;
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      // Every group matches every change against its filter (in the slices of run()), so what all of
      // them cost a change together is bounded; a subscriber that joins a group costs a change nothing more.
      const evaluations = subscription.evaluations;
      const limit = this.limits.maxFilterEvaluationsPerChange;
      if (this.filterEvaluations + evaluations > limit) {
        return busy(
          `the subscriptions' filters already cost ${this.filterEvaluations} evaluations a change, and this ` +
            `one would add ${evaluations}; the server's limit is ${limit}: share a filter with others, narrow ` +
            "fewer selectors, or try again later",
        );
      }
      group = new Group(groupKey, subscription, render, this.groupHost);
      this.groups.set(groupKey, group);
      this.filterEvaluations += group.evaluations;
    }
    // The start and the join happen in one synchronous turn: nothing commits between them.
    const feed = group.feed;
    const subscriber = new Subscriber(id, connection, group, feed.sequence, subscription.start(), () => {
      this.subscriptionCount--;
    });
    group.join(subscriber);
    connection.subscribers.set(id, subscriber);
    this.subscriptionCount++;
    if (subscriber.hasMore()) connection.wake();
    return undefined;
  }

  stats(): FanoutStats {
    const stats: FanoutStats = {
      connections: { ws: 0, sse: 0 },
      subscriptions: this.subscriptionCount,
      groups: this.groups.size,
      filterEvaluationsPerChange: this.filterEvaluations,
      groupBacklog: 0,
      queuedChanges: 0,
      deepestQueue: 0,
      queuedBytes: 0,
      bufferedBytes: 0,
    };
    for (const group of this.groups.values())
      stats.groupBacklog = Math.max(stats.groupBacklog, group.pendingChanges);
    for (const connection of this.connections) {
      stats.connections[connection.sink.transport]++;
      stats.queuedBytes += connection.queuedBytes;
      stats.bufferedBytes += connection.sink.buffered();
      for (const subscriber of connection.subscribers.values()) {
        stats.queuedChanges += subscriber.queued;
        stats.deepestQueue = Math.max(stats.deepestQueue, subscriber.queued);
      }
    }
    return stats;
  }

  /** Stops the timers; the transports release their connections themselves. */
  close(): void {
    clearInterval(this.sweeper);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  /** One slice: render the groups' new changes, then write to the connections that have something. */
  private run(): void {
    this.scheduled = false;
    const deadline = performance.now() + sliceMs;
    // Every group gets its share of the slice, so that a huge one cannot keep a small one waiting.
    const share = sliceMs / Math.max(1, this.dirtyGroups.size);
    for (const group of [...this.dirtyGroups]) {
      let finished = true;
      try {
        finished = group.drain(Math.min(deadline, performance.now() + share));
      } catch (error) {
        this.logger.error({ err: error }, "rendering a subscription group failed");
      }
      if (finished) this.dirtyGroups.delete(group);
    }
    const writeDeadline = performance.now() + sliceMs;
    for (const connection of this.dirtyConnections) {
      let finished: boolean;
      try {
        finished = connection.flush(writeDeadline);
      } catch (error) {
        // One connection's fault is its own: it goes, the others are written.
        this.logger.error({ err: error }, "writing to a subscription connection failed");
        connection.release();
        connection.sink.evict("internal error");
        finished = true;
      }
      this.dirtyConnections.delete(connection);
      if (!finished) {
        // To the back of the line: one connection with a lot to write does not hold up the others.
        this.dirtyConnections.add(connection);
        break;
      }
      if (performance.now() > writeDeadline) break;
    }
    if (this.dirtyConnections.size > 0 || this.dirtyGroups.size > 0) this.schedule();
  }

  private sweep(): void {
    const now = Date.now();
    let total = 0;
    for (const connection of this.connections) {
      const since = connection.blockedSince;
      if (since !== undefined && now - since > this.limits.slowSocketTimeoutMs) {
        const unsent = connection.sink.buffered();
        this.logger.info(
          { transport: connection.sink.transport, unsentBytes: unsent, queuedBytes: connection.queuedBytes },
          "closing a connection that stopped reading",
        );
        connection.evict(
          `too slow: ${unsent} bytes unsent for ${this.limits.slowSocketTimeoutMs} ms`,
          "too_slow",
        );
        continue;
      }
      // Coalescing keeps a client that is briefly behind whole; one that stays behind is owed a RESYNC,
      // and costs nothing per change from then on (its subscribers park).
      if (since !== undefined && now - since > this.limits.coalesceForMs) {
        for (const subscriber of connection.subscribers.values()) subscriber.dropToResync();
      }
      // A sink that drained without saying so (no 'drain' after a write that fit) is written again.
      if (since !== undefined && connection.sink.buffered() < this.limits.socketHighWaterBytes)
        connection.wake();
      total += connection.heldBytes();
    }
    if (total <= this.limits.maxBufferedBytes) return;
    const heaviest = [...this.connections].sort((a, b) => b.heldBytes() - a.heldBytes());
    for (const connection of heaviest) {
      if (total <= this.limits.maxBufferedBytes * shedTo) break;
      const held = connection.heldBytes();
      total -= held;
      this.logger.warn(
        { transport: connection.sink.transport, heldBytes: held, budget: this.limits.maxBufferedBytes },
        "shedding the slowest connection: the server's buffer budget is spent",
      );
      connection.evict(
        `too slow: the server's buffer budget is spent and this client held ${held} bytes`,
        "budget",
      );
    }
  }
}

function busy(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.ServerBusy } });
}
