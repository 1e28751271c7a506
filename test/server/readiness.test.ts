import { describe, expect, it } from "vitest";
import type { ClusterHealth, SyncProgress } from "../../src/kube/index.js";
import { readinessBody } from "../../src/server/readiness.js";

const progress: SyncProgress = {
  clustersDiscovered: 1,
  clustersTotal: 1,
  typesSynced: 12,
  typesForbidden: 1,
  typesTotal: 40,
  objects: 52_000,
};

const listing: ClusterHealth = {
  id: "c1-uid",
  name: "prod-admin@prod",
  reachable: true,
  since: "2026-01-01T00:00:00.000Z",
  lastError: undefined,
  lastContact: "2026-01-01T00:00:01.000Z",
  synced: false,
};

describe("the /readyz body's progress", () => {
  const notReady = {
    ready: false,
    reason: "initial list of every watched type not finished",
    clusters: [listing],
    progress,
  };

  it("shows the first sync's counts to a client without the token, and nothing that names a cluster", () => {
    const body = readinessBody(notReady, false);
    expect(body).toEqual({ status: "not ready", reason: "the first sync has not finished", progress });
    expect(JSON.stringify(body)).not.toContain("prod");
  });

  it("shows them beside the reason and the clusters with the token", () => {
    expect(readinessBody(notReady, true)).toEqual({
      status: "not ready",
      reason: "initial list of every watched type not finished",
      progress,
      clusters: [listing],
    });
  });

  it("leaves them out once ready", () => {
    const body = readinessBody({ ready: true, clusters: [{ ...listing, synced: true }], progress }, true);
    expect(body).not.toHaveProperty("progress");
    expect(body.status).toBe("ready");
  });
});

describe("the /readyz body's replica", () => {
  const replica = {
    role: "standby" as const,
    identity: "pod-b",
    leader: "pod-a",
    leaseTransitions: 3,
    streams: ["MESHSYNC_c1"],
    lag: { changes: 12, seconds: 0.4 },
  };

  it("shows role, streams and lag to anyone, and who leads only with the token", () => {
    expect(readinessBody({ ready: true, replica }, false).replica).toEqual({
      role: "standby",
      streams: ["MESHSYNC_c1"],
      lag: { changes: 12, seconds: 0.4 },
    });
    expect(readinessBody({ ready: true, replica }, true).replica).toEqual(replica);
  });

  it("is left out where serve says nothing of replication", () => {
    expect(readinessBody({ ready: true }, true).replica).toBeUndefined();
  });
});
