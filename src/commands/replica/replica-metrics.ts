// A replica's role and how far it trails its stream, as Prometheus gauges read at scrape time, so an
// alert can say which pod leads and which gateway has fallen behind.
import { Gauge, type Registry } from "prom-client";
import type { ReplicaRole, ReplicaStatus } from "../../api/index.js";

const roles: readonly ReplicaRole[] = ["single", "leader", "standby", "gateway"];

export interface ReplicaCounts {
  /** Changes this replica has published to its stream. */
  published: number;
  /** Changes this replica has applied from streams (snapshots not counted). */
  applied: number;
}

export function registerReplicaMetrics(
  registry: Registry,
  status: () => ReplicaStatus,
  counts: () => ReplicaCounts,
): void {
  new Gauge({
    name: "meshsync_replica_role",
    help: "1 for this replica's current role (single, leader, standby, gateway), 0 for the others.",
    labelNames: ["role"],
    registers: [registry],
    collect() {
      const { role } = status();
      for (const each of roles) this.set({ role: each }, each === role ? 1 : 0);
    },
  });
  const gauges: readonly [string, string, () => number][] = [
    [
      "meshsync_replica_lag_changes",
      "Changes in the followed streams not yet applied (0 for a replica that does not follow).",
      () => status().lag?.changes ?? 0,
    ],
    [
      "meshsync_replica_lag_seconds",
      "How much older the last applied change is than its stream's newest.",
      () => status().lag?.seconds ?? 0,
    ],
    [
      "meshsync_lease_transitions",
      "The Lease's leaseTransitions as last seen (0 when not electing).",
      () => status().leaseTransitions ?? 0,
    ],
    [
      "meshsync_replication_published_changes",
      "Changes published to the change stream.",
      () => counts().published,
    ],
    [
      "meshsync_replication_applied_changes",
      "Changes applied from the change streams.",
      () => counts().applied,
    ],
  ];
  for (const [name, help, value] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  }
}
