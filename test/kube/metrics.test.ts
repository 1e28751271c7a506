import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerSyncMetrics } from "../../src/kube/metrics.js";
import type { TypeSyncStatus } from "../../src/kube/sync-status.js";
import { configMaps } from "./fakes.js";

function status(overrides: Partial<TypeSyncStatus>): TypeSyncStatus {
  return {
    clusterId: "c1",
    typeName: "configmaps.v1.",
    resourceType: configMaps,
    phase: "watching",
    error: undefined,
    objectCount: 12,
    lastEventTime: "2026-01-01T00:00:10.000Z",
    resourceVersion: "99",
    relistCount: 2,
    watchCount: 5,
    stallCount: 1,
    skippedCount: 3,
    hasSynced: true,
    forbidden: false,
    ...overrides,
  };
}

describe("sync metrics", () => {
  it("reports each type's status at scrape time and forgets types that went away", async () => {
    const registry = new Registry();
    let reachable = true;
    let statuses = [
      status({}),
      status({ typeName: "pods.v1.", phase: "backoff", hasSynced: false, lastEventTime: undefined }),
    ];
    registerSyncMetrics(registry, {
      status: () => statuses,
      clusterStates: () => [
        {
          cluster: { id: "c1", name: "one" },
          discovered: true,
          discoveryError: undefined,
          lastDiscovery: undefined,
          unavailableGroupVersions: ["metrics.k8s.io/v1beta1"],
          ready: false,
          contact: {
            reachable,
            since: "2026-01-01T00:00:00.000Z",
            lastError: reachable ? undefined : "connect ECONNREFUSED 127.0.0.1:6443",
            lastContact: "2026-01-01T00:00:20.000Z",
            serverVersion: "v1.32.0",
          },
        },
      ],
    });

    const text = await registry.metrics();
    expect(text).toContain('meshsync_sync_objects{cluster="c1",type="configmaps.v1."} 12');
    expect(text).toContain('meshsync_sync_relists{cluster="c1",type="configmaps.v1."} 2');
    expect(text).toContain('meshsync_sync_synced{cluster="c1",type="pods.v1."} 0');
    expect(text).toContain('meshsync_sync_phase{cluster="c1",type="pods.v1.",phase="backoff"} 1');
    expect(text).toContain('meshsync_sync_phase{cluster="c1",type="pods.v1.",phase="watching"} 0');
    expect(text).toContain('meshsync_sync_last_event_seconds{cluster="c1",type="configmaps.v1."} 1767225610');
    expect(text).not.toContain('meshsync_sync_last_event_seconds{cluster="c1",type="pods.v1."}');
    expect(text).toContain('meshsync_cluster_ready{cluster="c1"} 0');
    expect(text).toContain('meshsync_discovery_unavailable_groups{cluster="c1"} 1');
    expect(text).toContain('meshsync_cluster_reachable{cluster="c1"} 1');
    expect(text).toContain('meshsync_cluster_last_contact_seconds{cluster="c1"} 1767225620');

    reachable = false;
    expect(await registry.metrics()).toContain('meshsync_cluster_reachable{cluster="c1"} 0');

    statuses = [status({})];
    expect(await registry.metrics()).not.toContain('type="pods.v1."');
  });
});
