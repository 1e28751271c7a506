import { eventually } from "@meshsync/testing";
import { collectDefaultMetrics, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/kube/index.js";
import type { Readiness } from "../../src/server/index.js";
import { ClusterHealthDocument, ClustersDocument, ResourcesDocument } from "../generated/graphql.js";
import { query, queryData } from "../support/graphql-client.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

const healthy: ClusterHealth = {
  id: "c1-uid",
  name: "kind-one",
  reachable: true,
  since: "2026-01-01T00:00:00.000Z",
  lastError: undefined,
  lastContact: "2026-01-01T00:10:00.000Z",
  synced: true,
};

const lost: ClusterHealth = {
  id: "c2-uid",
  name: "kind-two",
  reachable: false,
  since: "2026-01-01T00:05:00.000Z",
  lastError: "connect ECONNREFUSED 10.0.0.2:6443",
  lastContact: "2026-01-01T00:04:59.000Z",
  synced: true,
};

describe("health, readiness and metrics", () => {
  let t: TestServer;
  let readiness: Readiness = {
    ready: false,
    reason: "listing pods.v1. in kind-one",
  };
  const registry = new Registry();

  beforeAll(async () => {
    t = await startTestServer({ readiness: () => readiness, registry });
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("answers /healthz with 200 whatever the readiness", async () => {
    const response = await fetch(`${t.server.origin}/healthz`);
    expect(response.status).toBe(200);
  });

  it("switches /readyz from 503 with the reason to 200", async () => {
    const before = await fetch(`${t.server.origin}/readyz`);
    expect(before.status).toBe(503);
    expect(before.headers.get("content-type")).toContain("application/json");
    expect(await before.json()).toEqual({
      status: "not ready",
      reason: "listing pods.v1. in kind-one",
      clusters: [],
    });

    readiness = { ready: true };
    const after = await fetch(`${t.server.origin}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: "ready", clusters: [] });
  });

  it("stays 200 while a cluster is unreachable, and says so in the body, cluster by cluster", async () => {
    readiness = { ready: true, clusters: [healthy, lost] };
    const response = await fetch(`${t.server.origin}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "degraded",
      reason: "a cluster does not answer or is being listed; serving its last known state",
      clusters: [
        {
          id: "c1-uid",
          name: "kind-one",
          reachable: true,
          since: "2026-01-01T00:00:00.000Z",
          lastContact: "2026-01-01T00:10:00.000Z",
          synced: true,
        },
        {
          id: "c2-uid",
          name: "kind-two",
          reachable: false,
          since: "2026-01-01T00:05:00.000Z",
          lastError: "connect ECONNREFUSED 10.0.0.2:6443",
          lastContact: "2026-01-01T00:04:59.000Z",
          synced: true,
        },
      ],
    });
  });

  it("reports a readiness callback that throws as not ready instead of failing", async () => {
    const broken = await startTestServer({
      readiness: () => {
        throw new Error("status unavailable");
      },
    });
    try {
      const response = await fetch(`${broken.server.origin}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("status unavailable");
    } finally {
      await broken.server.close();
    }
  });

  it("with a token, shows the reason and the clusters only to a client that presents it", async () => {
    const token = "s3cret-token";
    let state: Readiness = {
      ready: false,
      reason: 'context "prod" (https://10.1.2.3:6443): connect ECONNREFUSED',
      clusters: [{ ...lost, id: undefined, name: "prod" }],
    };
    const guarded = await startTestServer({ token, readiness: () => state });
    try {
      const anonymous = await fetch(`${guarded.server.origin}/readyz`);
      expect(anonymous.status).toBe(503);
      const text = await anonymous.text();
      expect(JSON.parse(text)).toEqual({ status: "not ready", reason: "the first sync has not finished" });
      expect(text).not.toMatch(/prod|10\.1\.2\.3|10\.0\.0\.2/);

      const wrong = await fetch(`${guarded.server.origin}/readyz`, {
        headers: { authorization: "Bearer nope" },
      });
      expect(await wrong.json()).toEqual({ status: "not ready", reason: "the first sync has not finished" });

      const authorized = await fetch(`${guarded.server.origin}/readyz`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(authorized.status).toBe(503);
      expect(await authorized.json()).toMatchObject({
        status: "not ready",
        reason: state.reason,
        clusters: [{ name: "prod", reachable: false, lastError: "connect ECONNREFUSED 10.0.0.2:6443" }],
      });

      state = { ready: true, clusters: [healthy, lost] };
      const degraded = await fetch(`${guarded.server.origin}/readyz`);
      expect(degraded.status).toBe(200);
      expect(await degraded.json()).toEqual({
        status: "degraded",
        reason: "a cluster does not answer or is being listed; serving its last known state",
      });
    } finally {
      await guarded.server.close();
    }
  });

  it("shows each synced cluster's health in Query.clusters, under the id it answers with now", async () => {
    const withHealth = await startTestServer({ clusterHealth: () => [healthy, lost] });
    try {
      const { clusters } = await queryData(withHealth.server.url, ClusterHealthDocument);
      expect(clusters).toEqual([
        {
          id: "c1-uid",
          name: "kind-one",
          reachable: true,
          since: healthy.since,
          lastError: null,
          lastContact: healthy.lastContact,
          synced: true,
        },
        {
          id: "c2-uid",
          name: "kind-two",
          reachable: false,
          since: lost.since,
          lastError: lost.lastError,
          lastContact: lost.lastContact,
          synced: true,
        },
      ]);
    } finally {
      await withHealth.server.close();
    }
    // A bare graph (no engine) still lists what it holds, with nothing to say about health.
    const { clusters } = await queryData(t.server.url, ClusterHealthDocument);
    expect(clusters).toEqual([
      { ...cluster, reachable: null, since: null, lastError: null, lastContact: null, synced: null },
    ]);
  });

  it("exposes operations, graph size and change sequence in the registry it was given", async () => {
    t.graph.upsert(cluster, podType, pod("a", "default"));
    t.graph.upsert(cluster, podType, pod("b", "default"));
    await queryData(t.server.url, ResourcesDocument, {});
    await query(t.server.url, ResourcesDocument, { filter: { labelSelector: "((" } });
    const response = await fetch(`${t.server.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/meshsync_graph_objects 2\b/);
    expect(text).toMatch(new RegExp(`meshsync_change_sequence ${t.graph.log.sequence}\\b`));
    expect(text).toMatch(/meshsync_graphql_operations_total\{type="query",outcome="ok"\} \d+/);
    expect(text).toMatch(/meshsync_graphql_operations_total\{type="query",outcome="error"\} 1\b/);
    expect(text).toMatch(/meshsync_subscriptions_active 0\b/);
    expect(await registry.getSingleMetricAsString("meshsync_graph_objects")).toContain(
      "meshsync_graph_objects 2",
    );
  });

  it("reports the fan-out: connections by transport, subscriptions, groups, deliveries", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    const waiting = await RawGraphqlSocket.open(t.server.url);
    try {
      const changes = "subscription { resourceChanges { sequence } }";
      socket.subscribe("a", changes);
      socket.subscribe("b", changes);
      socket.subscribe("c", "subscription { resourceChanges { type } }");
      await eventually(() => t.graph.log.listenerCount === 2, 5000, "two groups to listen");
      t.graph.upsert(cluster, podType, pod("counted", "default"));
      await socket.waitFor((m) => m.id === "c" && m.type === "next");
      await socket.waitFor((m) => m.id === "a" && m.type === "next");
      await socket.waitFor((m) => m.id === "b" && m.type === "next");
      const text = await (await fetch(`${t.server.origin}/metrics`)).text();
      expect(text).toMatch(/meshsync_connections\{transport="ws"\} 1\b/);
      expect(text).toMatch(/meshsync_connections\{transport="sse"\} 0\b/);
      expect(text).toMatch(/meshsync_connections\{transport="ws_unacknowledged"\} 1\b/);
      expect(text).toMatch(/meshsync_subscriptions_active 3\b/);
      expect(text).toMatch(/meshsync_subscription_groups 2\b/);
      expect(text).toMatch(/meshsync_subscription_executions_total 2\b/);
      expect(text).toMatch(/meshsync_subscription_events_total 3\b/);
      for (const name of [
        "meshsync_subscription_queued_changes",
        "meshsync_subscription_queue_depth_max",
        "meshsync_subscription_group_backlog_max",
        "meshsync_subscription_queued_bytes",
        "meshsync_connection_buffered_bytes",
        "meshsync_subscription_coalesced_total",
        "meshsync_subscription_resyncs_total",
      ]) {
        expect(text).toMatch(new RegExp(`^${name} 0$`, "m"));
      }
      expect(text).toContain("# TYPE meshsync_connection_evictions_total counter");
    } finally {
      await Promise.all([socket.close(), waiting.close()]);
    }
  });

  it("accepts a registry that already carries the process metrics", async () => {
    const shared = new Registry();
    collectDefaultMetrics({ register: shared, prefix: "meshsync_" });
    const second = await startTestServer({ registry: shared });
    try {
      const text = await (await fetch(`${second.server.origin}/metrics`)).text();
      expect(text).toMatch(/meshsync_process_cpu_seconds_total/);
      expect(text).toMatch(/meshsync_graph_objects 0\b/);
    } finally {
      await second.server.close();
    }
  });

  it("answers unknown paths with 404 and keeps serving", async () => {
    expect((await fetch(`${t.server.origin}/nope`)).status).toBe(404);
    expect((await queryData(t.server.url, ClustersDocument)).clusters).toEqual([cluster]);
  });
});
