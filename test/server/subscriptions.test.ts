import { eventually } from "@meshsync/testing";
import { print } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import {
  ResourceChangesDocument,
  type ResourceChangesSubscription,
  ResourcesDocument,
} from "../generated/graphql.js";
import { queryData, SubscriptionErrorsError, subscribe } from "../support/graphql-client.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

type Change = ResourceChangesSubscription["resourceChanges"];

let t: TestServer | undefined;

afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

function sequenceOf(change: Change): number {
  return Number(change.sequence.split(":").at(-1));
}

describe("resourceChanges over graphql-ws", () => {
  it("sends the changes after a query's sequence, then live ones, in order with no gap or duplicate", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    graph.upsert(cluster, podType, pod("a", "default"));
    graph.upsert(cluster, podType, pod("b", "default"));
    const page = await queryData(server.url, ResourcesDocument, {});
    expect(page.resources.totalCount).toBe(2);

    // Changes between the query and the subscription must come from the backlog.
    graph.upsert(cluster, podType, pod("a", "default", { rv: "2" }));
    const subscription = subscribe(server.url, ResourceChangesDocument, { since: page.resources.sequence });
    try {
      const first = await subscription.next();
      expect(first.resourceChanges).toMatchObject({
        type: "MODIFIED",
        resource: { name: "a", resourceVersion: "2" },
      });

      graph.upsert(cluster, podType, pod("c", "kube-system"));
      graph.delete(cluster, podType, pod("b", "default"));
      graph.upsert(cluster, podType, pod("c", "kube-system", { rv: "5" }));
      const rest = (await subscription.take(3)).map((e) => e.resourceChanges);
      expect(rest.map((c) => [c.type, c.resource?.name])).toEqual([
        ["ADDED", "c"],
        ["DELETED", "b"],
        ["MODIFIED", "c"],
      ]);
      const all = [first.resourceChanges, ...rest].map(sequenceOf);
      expect(all).toEqual([3, 4, 5, 6]);
      expect(rest.at(-1)?.sequence).toBe(graph.log.cursor());
    } finally {
      await subscription.close();
    }
  });

  it("applies the filter to each change", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const since = graph.log.cursor();
    const subscription = subscribe(server.url, ResourceChangesDocument, {
      since,
      filter: { namespaces: ["kube-system"], labelSelector: "app=web" },
    });
    try {
      graph.upsert(cluster, podType, pod("skip-ns", "default", { labels: { app: "web" } }));
      graph.upsert(cluster, podType, pod("skip-label", "kube-system", { labels: { app: "db" } }));
      graph.upsert(cluster, podType, pod("keep", "kube-system", { labels: { app: "web" } }));
      const event = await subscription.next();
      expect(event.resourceChanges).toMatchObject({ type: "ADDED", resource: { name: "keep" } });
    } finally {
      await subscription.close();
    }
  });

  it.each([
    ["from another process", () => "0123456789ab:2"],
    ["malformed", () => "not a cursor"],
    ["older than the retained window", (s: TestServer) => s.graph.log.cursor(1)],
  ])("starts with RESYNC when since is %s", async (_label, since) => {
    t = await startTestServer({ retainedChanges: 5 });
    const { graph, server } = t;
    for (let i = 0; i < 20; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    const subscription = subscribe(server.url, ResourceChangesDocument, { since: since(t) });
    try {
      const first = await subscription.next();
      expect(first.resourceChanges).toEqual({
        type: "RESYNC",
        resource: null,
        sequence: graph.log.cursor(20),
      });
      graph.upsert(cluster, podType, pod("live", "default"));
      const next = await subscription.next();
      expect(next.resourceChanges).toMatchObject({ type: "ADDED", sequence: graph.log.cursor(21) });
    } finally {
      await subscription.close();
    }
  });

  it("rejects a bad filter with a clear error before subscribing", async () => {
    t = await startTestServer();
    const subscription = subscribe(t.server.url, ResourceChangesDocument, {
      filter: { labelSelector: "a in (" },
    });
    const failure = await subscription.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SubscriptionErrorsError);
    expect(String(failure)).toMatch(/selector/);
    expect(t.graph.log.listenerCount).toBe(0);
    await subscription.close();
  });

  it("takes kinds as kubectl names them, and refuses a kind no type answers to before subscribing", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    graph.upsert(cluster, podType, pod("a", "default"));
    const refused = subscribe(server.url, ResourceChangesDocument, { filter: { kinds: ["pdo"] } });
    const failure = await refused.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SubscriptionErrorsError);
    expect((failure as SubscriptionErrorsError).errors).toEqual([
      expect.objectContaining({
        message: 'kinds: the server doesn\'t have a resource type "pdo"; did you mean "Pod"?',
        extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }),
      }),
    ]);
    await refused.close();
    expect(graph.log.listenerCount).toBe(0);

    const since = graph.log.cursor();
    const subscription = subscribe(server.url, ResourceChangesDocument, { filter: { kinds: ["po"] }, since });
    try {
      graph.upsert(cluster, podType, pod("b", "default"));
      const change = await subscription.next();
      expect(change.resourceChanges).toMatchObject({ type: "ADDED", resource: { kind: "Pod", name: "b" } });
    } finally {
      await subscription.close();
    }
  });

  it("keeps a fast subscriber whole while a subscriber that stopped reading overflows into RESYNC", async () => {
    // The slow one is never closed for its slowness here, only dropped to RESYNC.
    t = await startTestServer({ limits: { subscriptionQueueSize: 50, slowSocketTimeoutMs: 120_000 } });
    const { graph, server } = t;
    const since = graph.log.cursor();
    const bulk = "x".repeat(16 * 1024);
    const total = 2000;

    const slow = await RawGraphqlSocket.connect(server.url);
    slow.subscribe(
      "slow",
      "subscription($since: String) { resourceChanges(since: $since) { sequence type resource { object } } }",
      { since },
    );
    const fast = subscribe(server.url, ResourceChangesDocument, { since });
    const received: Change[] = [];
    const reading = (async () => {
      while (received.length < total) received.push((await fast.next(30_000)).resourceChanges);
    })();

    graph.upsert(cluster, podType, pod("first", "default"));
    await slow.waitFor((m) => m.type === "next");
    slow.ws.pause();

    for (let i = 1; i < total; i++) {
      const object = pod(`p${i % 200}`, "default", { rv: String(i + 1) });
      object.metadata!.annotations = { bulk };
      graph.upsert(cluster, podType, object);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await reading;

    // The fast subscriber saw every change, in order, with no RESYNC.
    expect(received).toHaveLength(total);
    expect(received.map(sequenceOf)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(received.some((c) => c.type === "RESYNC")).toBe(false);

    // The slow one's queue overflowed (and was dropped) instead of growing or throwing.
    const metrics = await (await fetch(`${server.origin}/metrics`)).text();
    const overflows = Number(/meshsync_subscription_resyncs_total (\d+)/.exec(metrics)?.[1]);
    expect(overflows).toBeGreaterThan(0);

    slow.ws.resume();
    const resync = await slow.waitFor(
      (m) => m.type === "next" && JSON.stringify(m.payload).includes('"type":"RESYNC"'),
      30_000,
    );
    expect(resync.id).toBe("slow");
    const lastSequence = `"sequence":"${graph.log.cursor(total)}"`;
    await slow.waitFor((m) => m.type === "next" && JSON.stringify(m.payload).includes(lastSequence), 30_000);
    expect(slow.messages.filter((m) => m.type === "next").length).toBeLessThan(total);

    // Both going away frees their listeners and the gauge.
    await slow.close();
    await fast.close();
    await eventually(() => graph.log.listenerCount === 0, 10_000, "listeners to be released");
    await eventually(
      async () => {
        const text = await (await fetch(`${server.origin}/metrics`)).text();
        return /meshsync_subscriptions_active 0\b/.test(text);
      },
      10_000,
      "the active subscription gauge to drop to 0",
    );
  });

  it("serves a subscription and queries side by side on one socket", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const socket = await RawGraphqlSocket.connect(server.url);
    try {
      socket.subscribe("s", print(ResourceChangesDocument), { since: graph.log.cursor() });
      socket.subscribe("q", "{ clusters { id } }");
      const answer = await socket.waitFor((m) => m.id === "q" && m.type === "next");
      expect(answer.payload).toEqual({ data: { clusters: [{ id: cluster.id }] } });
      graph.upsert(cluster, podType, pod("x", "default"));
      const change = await socket.waitFor((m) => m.id === "s" && m.type === "next");
      expect(JSON.stringify(change.payload)).toContain('"name":"x"');
      socket.send({ type: "complete", id: "s" });
      await eventually(
        () => graph.log.listenerCount === 0,
        10_000,
        "the completed subscription to release its listener",
      );
    } finally {
      await socket.close();
    }
  });
});
