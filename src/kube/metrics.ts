// Sync status as Prometheus gauges, read from the engine at scrape time, so a type that goes away
// stops being reported and nothing has to be updated on the hot path.
import { Gauge, type Registry } from "prom-client";
import type { ClusterSyncState } from "./cluster-sync.js";
import type { SyncPhase, TypeSyncStatus } from "./sync-status.js";

export interface SyncStatusSource {
  status(): TypeSyncStatus[];
  clusterStates(): ClusterSyncState[];
}

const PHASES: readonly SyncPhase[] = ["listing", "watching", "backoff", "error", "stopped"];

type TypeLabels = "cluster" | "type";

/** Registers the engine's gauges in the given registry (the server's, so /metrics shows them). */
export function registerSyncMetrics(registry: Registry, source: SyncStatusSource): void {
  const perType = (
    name: string,
    help: string,
    value: (status: TypeSyncStatus) => number | undefined,
  ): void => {
    new Gauge<TypeLabels>({
      name,
      help,
      labelNames: ["cluster", "type"],
      registers: [registry],
      collect() {
        this.reset();
        for (const status of source.status()) {
          const measured = value(status);
          if (measured !== undefined)
            this.set({ cluster: status.clusterId, type: status.typeName }, measured);
        }
      },
    });
  };

  perType(
    "meshsync_sync_objects",
    "Objects of a type, as its last list and watch events since count them.",
    (s) => s.objectCount,
  );
  perType("meshsync_sync_synced", "1 once a type's first list has reached the graph.", (s) =>
    s.hasSynced ? 1 : 0,
  );
  perType(
    "meshsync_sync_relists",
    "Lists after the first one (410s, expired continues, resyncs).",
    (s) => s.relistCount,
  );
  perType(
    "meshsync_sync_watches",
    "Watch streams opened; more than one means reconnects.",
    (s) => s.watchCount,
  );
  perType(
    "meshsync_sync_stalls",
    "Watch streams closed for staying silent past the deadline.",
    (s) => s.stallCount,
  );
  perType(
    "meshsync_sync_skipped",
    "Malformed objects or watch lines logged and skipped.",
    (s) => s.skippedCount,
  );
  perType("meshsync_sync_last_event_seconds", "Unix time of the last change event of a type.", (s) =>
    s.lastEventTime === undefined ? undefined : Date.parse(s.lastEventTime) / 1000,
  );

  new Gauge<TypeLabels | "phase">({
    name: "meshsync_sync_phase",
    help: "1 for the phase each type's reflector is in (listing, watching, backoff, error, stopped).",
    labelNames: ["cluster", "type", "phase"],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of source.status()) {
        for (const phase of PHASES) {
          this.set(
            { cluster: status.clusterId, type: status.typeName, phase },
            status.phase === phase ? 1 : 0,
          );
        }
      }
    },
  });

  new Gauge<"cluster">({
    name: "meshsync_cluster_ready",
    help: "1 once discovery has run and every watched type of the cluster has finished its first list.",
    labelNames: ["cluster"],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of source.clusterStates())
        this.set({ cluster: state.cluster.id }, state.ready ? 1 : 0);
    },
  });

  new Gauge<"cluster">({
    name: "meshsync_cluster_reachable",
    help: "1 while the cluster's API server answers as that cluster; 0 while it does not answer (the graph keeps its last known state).",
    labelNames: ["cluster"],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of source.clusterStates())
        this.set({ cluster: state.cluster.id }, state.contact.reachable ? 1 : 0);
    },
  });

  new Gauge<"cluster">({
    name: "meshsync_cluster_last_contact_seconds",
    help: "Unix time the cluster's API server last answered anything, a watch event or bookmark included.",
    labelNames: ["cluster"],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of source.clusterStates()) {
        const last = state.contact.lastContact;
        if (last !== undefined) this.set({ cluster: state.cluster.id }, Date.parse(last) / 1000);
      }
    },
  });

  new Gauge<"cluster">({
    name: "meshsync_discovery_unavailable_groups",
    help: "API groups whose discovery failed last time (their watches are kept as they were).",
    labelNames: ["cluster"],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of source.clusterStates()) {
        this.set({ cluster: state.cluster.id }, state.unavailableGroupVersions.length);
      }
    },
  });
}
