import type { DocumentNode } from "graphql";
import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SubscriptionObserver } from "../api/index.js";
import type { ResourceGraph } from "../graph/index.js";
import type { SharedExecutionCounters } from "./shared-execution.js";

export interface ServerMetrics {
  registry: Registry;
  /** Counts operations as yoga executes them, on both transports. */
  plugin: Plugin;
  subscriptions: SubscriptionObserver;
  rejected: Counter<"reason">;
  sharedExecution: SharedExecutionCounters;
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
  const active = new Gauge({
    name: "meshsync_subscriptions_active",
    help: "Subscriptions currently open.",
    registers: [registry],
  });
  const overflows = new Counter({
    name: "meshsync_subscription_overflows_total",
    help: "Times a slow subscriber's queue overflowed and it was sent RESYNC.",
    registers: [registry],
  });
  const executions = new Counter({
    name: "meshsync_subscription_executions_total",
    help: "Changes rendered through a subscription's selection set; subscribers of one operation share each.",
    registers: [registry],
  });
  const events = new Counter({
    name: "meshsync_subscription_events_total",
    help: "Change events handed to subscribers.",
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
    onSubscribe() {
      operations.inc({ type: "subscription", outcome: "ok" });
    },
  };
  return {
    registry,
    plugin,
    rejected,
    sharedExecution: { executed: () => executions.inc(), delivered: () => events.inc() },
    subscriptions: {
      opened: () => active.inc(),
      closed: () => active.dec(),
      overflowed: () => overflows.inc(),
    },
  };
}
