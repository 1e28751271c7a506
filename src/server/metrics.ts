import type { DocumentNode } from "graphql";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SubscriptionObserver } from "../api/index.js";
import type { ResourceGraph } from "../graph/index.js";
import type { FanoutCounters, FanoutStats } from "./fanout/index.js";

export interface ServerMetrics {
  registry: Registry;
  /** Counts operations as yoga executes them, on both transports. */
  plugin: Plugin;
  subscriptions: SubscriptionObserver;
  rejected: Counter<"reason">;
  fanout: FanoutCounters;
  /** Counts a subscription started (or refused) on either transport. */
  subscribed(outcome: "ok" | "error"): void;
  /** Where the gauges read the fan-out's state; set once the server has built it. */
  observe(stats: () => FanoutStats & { unacknowledged: number }): void;
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): string {
  return getOperationAST(document, operationName)?.operation ?? "unknown";
}

/** The server's metrics, in a registry of its own (never prom-client's global one). */
export function createServerMetrics(graph: ResourceGraph, registry = new Registry()): ServerMetrics {
  // The caller's registry may already carry the process metrics (from the engine, or an earlier server).
  if (registry.getSingleMetric("meshsync_process_cpu_seconds_total") === undefined) {
    collectDefaultMetrics({ register: registry, prefix: "meshsync_" });
  }
  const operations = new Counter({
    name: "meshsync_graphql_operations_total",
    help: "GraphQL operations executed, by type and outcome.",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: "meshsync_graphql_rejected_total",
    help: "Requests refused before execution, by reason.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  let stats: (() => FanoutStats & { unacknowledged: number }) | undefined;
  // The collect hooks of one scrape read one snapshot, so the gauges agree with each other.
  let snapshot: (FanoutStats & { unacknowledged: number }) | undefined;
  let snapshotAt = -1;
  const current = () => {
    const now = performance.now();
    if (stats !== undefined && (snapshot === undefined || now - snapshotAt > 50)) {
      snapshot = stats();
      snapshotAt = now;
    }
    return snapshot;
  };
  let iteratedStreams = 0;
  const gauge = (name: string, help: string, read: (s: FanoutStats & { unacknowledged: number }) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const now = current();
        this.set(now === undefined ? 0 : read(now));
      },
    });
  new Gauge({
    name: "meshsync_connections",
    help: "Open subscription connections, by transport (ws: acknowledged WebSockets; sse: streams and reservations).",
    labelNames: ["transport"] as const,
    registers: [registry],
    collect() {
      const now = current();
      this.set({ transport: "ws" }, now?.connections.ws ?? 0);
      this.set({ transport: "sse" }, now?.connections.sse ?? 0);
      this.set({ transport: "ws_unacknowledged" }, now?.unacknowledged ?? 0);
    },
  });
  new Gauge({
    name: "meshsync_subscriptions_active",
    help: "Subscriptions currently open.",
    registers: [registry],
    collect() {
      this.set((current()?.subscriptions ?? 0) + iteratedStreams);
    },
  });
  gauge(
    "meshsync_subscription_groups",
    "Groups of alike subscriptions sharing one render per change.",
    (s) => s.groups,
  );
  gauge(
    "meshsync_subscription_filter_evaluations_per_change",
    "What matching one change against every group's filter costs, in filter evaluations (maxFilterEvaluationsPerChange bounds it).",
    (s) => s.filterEvaluationsPerChange,
  );
  gauge(
    "meshsync_subscription_group_backlog_max",
    "Changes committed but not yet rendered, in the subscription group furthest behind.",
    (s) => s.groupBacklog,
  );
  gauge(
    "meshsync_subscription_queued_changes",
    "Changes queued for subscribers, all together.",
    (s) => s.queuedChanges,
  );
  gauge(
    "meshsync_subscription_queue_depth_max",
    "Changes queued for the subscriber furthest behind.",
    (s) => s.deepestQueue,
  );
  gauge(
    "meshsync_subscription_queued_bytes",
    "Bytes of the changes queued for subscribers.",
    (s) => s.queuedBytes,
  );
  gauge(
    "meshsync_connection_buffered_bytes",
    "Bytes written to connections that have not reached the kernel.",
    (s) => s.bufferedBytes,
  );
  const overflows = new Counter({
    name: "meshsync_subscription_resyncs_total",
    help: "Times a subscriber fell so far behind that its queue was dropped and it was sent RESYNC.",
    registers: [registry],
  });
  const coalesced = new Counter({
    name: "meshsync_subscription_coalesced_total",
    help: "Queued changes replaced by a newer change of the same object for a subscriber behind.",
    registers: [registry],
  });
  const evictions = new Counter({
    name: "meshsync_connection_evictions_total",
    help: "Connections closed for falling behind, by reason (too_slow, budget; idle: an HTTP socket that neither sent nor read for idleSocketTimeoutMs).",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const executions = new Counter({
    name: "meshsync_subscription_executions_total",
    help: "Changes rendered and serialized for a group of subscriptions; its members share each.",
    registers: [registry],
  });
  const events = new Counter({
    name: "meshsync_subscription_events_total",
    help: "Rendered changes handed to subscribers (deliveries).",
    registers: [registry],
  });
  new Gauge({
    name: "meshsync_graph_objects",
    help: "Objects the resource graph holds.",
    registers: [registry],
    collect() {
      this.set(graph.size);
    },
  });
  new Gauge({
    name: "meshsync_change_log_retained_bytes",
    help: "Bytes the change log's retained window keeps alive (records, and object versions only it holds), against its budget.",
    registers: [registry],
    collect() {
      this.set(graph.log.retainedBytes);
    },
  });
  new Gauge({
    name: "meshsync_change_log_retained_changes",
    help: "Changes the change log's retained window holds, for resume, Query.changes and Resource.history.",
    registers: [registry],
    collect() {
      this.set(graph.log.retainedChanges);
    },
  });
  new Gauge({
    name: "meshsync_change_log_oldest_sequence",
    help: "Oldest sequence a subscriber can still resume after; older cursors get RESYNC.",
    registers: [registry],
    collect() {
      this.set(graph.log.oldestRetained);
    },
  });
  new Gauge({
    name: "meshsync_change_sequence",
    help: "Sequence of the last committed change.",
    registers: [registry],
    collect() {
      this.set(graph.log.sequence);
    },
  });
  const plugin: Plugin = {
    onExecute({ args }) {
      const type = operationOf(args.document, args.operationName);
      return {
        onExecuteDone({ result }) {
          const failed = "errors" in result && Array.isArray(result.errors) && result.errors.length > 0;
          operations.inc({ type, outcome: failed ? "error" : "ok" });
        },
      };
    },
  };
  return {
    registry,
    plugin,
    rejected,
    fanout: {
      executed: () => executions.inc(),
      delivered: (count) => events.inc(count),
      coalesced: () => coalesced.inc(),
      resynced: () => overflows.inc(),
      evicted: (reason) => evictions.inc({ reason }),
    },
    subscribed: (outcome) => operations.inc({ type: "subscription", outcome }),
    observe: (read) => {
      stats = read;
    },
    subscriptions: {
      opened: () => iteratedStreams++,
      closed: () => iteratedStreams--,
      overflowed: () => overflows.inc(),
    },
  };
}
