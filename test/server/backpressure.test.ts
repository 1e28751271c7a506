// What one client that stops reading can cost the server, measured, and what it gets for it.

import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CloseCode, ErrorCode } from "../../src/api/index.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

let t: TestServer | undefined;
const sockets: RawGraphqlSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await t?.server.close();
  t = undefined;
});

async function metric(origin: string, name: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(text);
  return match === null ? 0 : Number(match[1]);
}

async function connect(url: string): Promise<RawGraphqlSocket> {
  const socket = await RawGraphqlSocket.connect(url);
  sockets.push(socket);
  return socket;
}

const objects =
  "subscription($since: String) { resourceChanges(since: $since) { sequence type resource { name resourceVersion object } } }";
const bulk = "x".repeat(16 * 1024);

/** Changes `count` pods among `spread` names, each carrying 16 KiB, yielding every ten as a real feed would. */
async function churn(t: TestServer, count: number, spread: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const object = pod(`p${i % spread}`, "default", { rv: String(i + 1) });
    object.metadata!.annotations = { bulk };
    t.graph.upsert(cluster, podType, object);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Limits under which a connection coalesces after 32 KiB and is never closed for it. */
const coalescing = {
  socketHighWaterBytes: 32 * 1024,
  coalesceAfterBytes: 32 * 1024,
  maxQueuedBytesPerSocket: 64 * 1024 * 1024,
  coalesceForMs: 60_000,
  slowSocketTimeoutMs: 60_000,
};

/**
 * Subscribes `document` as "s", stops reading while 3,000 changes of 30 pods go by until some are
 * coalesced, reads again up to the last change, and gives every `next` payload's resourceChanges.
 */
async function readAfterCoalescing<Change>(
  t: TestServer,
  document: string,
  variables?: Record<string, unknown>,
): Promise<Change[]> {
  const reader = await connect(t.server.url);
  reader.subscribe("s", document, variables);
  await eventually(() => t.graph.log.listenerCount === 1, 5000, "the subscription to start");
  reader.ws.pause();
  await churn(t, 3000, 30);
  await eventually(
    async () => (await metric(t.server.origin, "meshsync_subscription_coalesced_total")) > 0,
    10_000,
    "changes to coalesce",
  );
  reader.ws.resume();
  const last = t.graph.log.cursor();
  const done = await reader.waitFor(
    (m) => m.type === "next" && JSON.stringify(m.payload).includes(`"sequence":"${last}"`),
    30_000,
  );
  expect(done.id).toBe("s");
  return reader.messages
    .filter((m) => m.type === "next")
    .map((m) => (m.payload as { data: { resourceChanges: Change } }).data.resourceChanges);
}

describe("a client that stops reading", () => {
  it("holds no more than its stated bound, then is closed with 4413 and a reason", async () => {
    const limits = {
      socketHighWaterBytes: 64 * 1024,
      coalesceAfterBytes: 64 * 1024,
      maxQueuedBytesPerSocket: 256 * 1024,
      slowSocketTimeoutMs: 2000,
      closeGraceMs: 30_000,
    };
    t = await startTestServer({ limits });
    const slow = await connect(t.server.url);
    slow.subscribe("s", objects, { since: t.graph.log.cursor() });
    await eventually(() => t!.graph.log.listenerCount === 1, 5000, "the subscription to start");
    slow.ws.pause();
    const frameBytes = bulk.length + 1024;
    // The stated bound (src/server/PROTOCOL.md): high-water mark + one frame + queued bytes.
    const bound = limits.socketHighWaterBytes + frameBytes + limits.maxQueuedBytesPerSocket;
    let most = 0;
    const sampling = setInterval(async () => {
      const held =
        (await metric(t!.server.origin, "meshsync_connection_buffered_bytes")) +
        (await metric(t!.server.origin, "meshsync_subscription_queued_bytes"));
      most = Math.max(most, held);
    }, 20);
    try {
      await churn(t, 4000, 400);
      await eventually(
        async () =>
          (await metric(t!.server.origin, 'meshsync_connection_evictions_total{reason="too_slow"}')) === 1,
        10_000,
        "the slow client to be closed",
      ).catch(async (e) => {
        console.log(
          (await (await fetch(`${t!.server.origin}/metrics`)).text())
            .split("\n")
            .filter((l) => l.startsWith("meshsync_conn") || l.startsWith("meshsync_sub"))
            .join("\n"),
        );
        throw e;
      });
    } finally {
      clearInterval(sampling);
    }
    // It really filled up (past the high-water mark), and never past the bound.
    expect(most).toBeGreaterThan(limits.socketHighWaterBytes);
    expect(most).toBeLessThanOrEqual(bound);
    expect(await metric(t.server.origin, "meshsync_subscription_resyncs_total")).toBeGreaterThan(0);
    expect(t.graph.log.listenerCount).toBe(0);
    // Once it reads again it finds the close frame after what was written, with the reason.
    const closing = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
    slow.ws.resume();
    const closed = await closing;
    expect(closed.code).toBe(CloseCode.TooSlow);
    expect(closed.reason).toMatch(/^too slow: \d+ bytes unsent for 2000 ms$/);
  });

  it("gets the latest state of every object, coalesced, in increasing sequence, when it reads again", async () => {
    t = await startTestServer({ limits: coalescing });
    const changes = await readAfterCoalescing<{
      sequence: string;
      type: string;
      resource: { name: string; resourceVersion: string };
    }>(t, objects, { since: t.graph.log.cursor() });
    expect(changes.some((c) => c.type === "RESYNC")).toBe(false);
    expect(changes.length).toBeLessThan(3000);
    const sequences = changes.map((c) => Number(c.sequence.split(":")[1]));
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const latest = new Map<string, string>();
    for (const change of changes) latest.set(change.resource.name, change.resource.resourceVersion);
    const expected = new Map(Array.from({ length: 30 }, (_, n) => [`p${n}`, String(3000 - 30 + n + 1)]));
    expect(latest).toEqual(expected);
  });
});

describe("a slow client keeping a topology", () => {
  it("gets every edge a change moved, even when later changes of the same objects are coalesced", async () => {
    t = await startTestServer({ limits: coalescing });
    t.graph.upsert(
      cluster,
      { ...podType, resource: "nodes", kind: "Node", namespaced: false },
      {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: "node-1", uid: "uid-node-1", resourceVersion: "1" },
      },
    );
    // Each pod's first version arrives with its runs-on edge; every later one moves no edge.
    const changes = await readAfterCoalescing<{
      resource: { name: string };
      relationsAdded: { type: string }[];
    }>(
      t,
      "subscription { resourceChanges { sequence type resource { name object } relationsAdded { type to } } }",
    );
    expect(changes.length).toBeLessThan(3000);
    const withEdge = new Set(
      changes.filter((c) => c.relationsAdded.some((e) => e.type === "runs-on")).map((c) => c.resource.name),
    );
    expect(withEdge.size).toBe(30);
  });
});

describe("the server's budget", () => {
  it("refuses subscriptions past maxSubscriptions with SERVER_BUSY, and takes them again when one ends", async () => {
    t = await startTestServer({ limits: { maxSubscriptions: 2 } });
    const socket = await connect(t.server.url);
    const changes = "subscription { resourceChanges { sequence } }";
    socket.subscribe("a", changes);
    socket.subscribe("b", changes);
    socket.subscribe("c", changes);
    const refused = await socket.waitFor((m) => m.id === "c");
    expect(refused.type).toBe("error");
    expect(refused.payload).toEqual([
      expect.objectContaining({
        message: "the server runs 2 subscriptions, its limit; try again later",
        extensions: { code: ErrorCode.ServerBusy },
      }),
    ]);
    socket.send({ type: "complete", id: "a" });
    await eventually(
      async () => (await metric(t!.server.origin, "meshsync_subscriptions_active")) === 1,
      5000,
      "the completed one to be counted out",
    );
    socket.subscribe("d", changes);
    await eventually(
      async () => (await metric(t!.server.origin, "meshsync_subscriptions_active")) === 2,
      5000,
      "the new one to start",
    );
    t.graph.upsert(cluster, podType, pod("counted", "default"));
    await socket.waitFor((m) => m.id === "d" && m.type === "next");
  });

  it("sheds the connection that holds the most first, and keeps the others", async () => {
    t = await startTestServer({
      limits: {
        maxBufferedBytes: 200 * 1024,
        socketHighWaterBytes: 64 * 1024,
        coalesceAfterBytes: 64 * 1024,
        // Its queue, coalesced to one change per object, stays under this: it holds steadily over budget.
        maxQueuedBytesPerSocket: 8 * 1024 * 1024,
        slowSocketTimeoutMs: 60_000,
      },
    });
    const heavy = await connect(t.server.url);
    heavy.subscribe("h", objects, { since: t.graph.log.cursor() });
    const light = await connect(t.server.url);
    light.subscribe("l", "subscription { resourceChanges { sequence } }");
    await eventually(() => t!.graph.log.listenerCount === 2, 5000, "both subscriptions to start");
    heavy.ws.pause();
    light.ws.pause();
    await churn(t, 3000, 200);
    await eventually(
      async () =>
        (await metric(t!.server.origin, 'meshsync_connection_evictions_total{reason="budget"}')) >= 1,
      10_000,
      "the heaviest to be shed",
    );
    expect(t.graph.log.listenerCount).toBe(1);
    light.ws.resume();
    await light.waitFor(
      (m) => m.type === "next" && JSON.stringify(m.payload).includes(t!.graph.log.cursor()),
      30_000,
    );
    expect(light.closeCode).toBeUndefined();
  });
});

describe("a query whose result is more than a connection may hold unsent", () => {
  const limits = { socketHighWaterBytes: 1024, maxQueuedBytesPerSocket: 1024 };
  /**
   * Six hundred pods of 16 KiB: a result of about 10 MB, more than the kernel takes off a socket at once
   * and far past what the limits let a connection hold unsent.
   */
  async function bulky(): Promise<TestServer> {
    const server = await startTestServer({ limits });
    for (let i = 0; i < 600; i++) {
      const object = pod(`p${i}`, "default");
      object.metadata!.annotations = { bulk };
      server.graph.upsert(cluster, podType, object);
    }
    return server;
  }
  const query = "{ resources(first: 600) { edges { node { object } } } }";

  it("gets its result and its complete over graphql-ws, and the socket goes on", async () => {
    t = await bulky();
    const socket = await connect(t.server.url);
    socket.subscribe("q", query);
    await socket.waitFor((m) => m.id === "q" && m.type === "complete");
    expect(socket.messages.filter((m) => m.id === "q").map((m) => m.type)).toEqual(["next", "complete"]);
    expect(JSON.stringify(socket.messages.find((m) => m.id === "q")?.payload).length).toBeGreaterThan(
      9_000_000,
    );
    socket.subscribe("again", "{ clusters { id } }");
    expect((await socket.waitFor((m) => m.id === "again")).type).toBe("next");
    expect(socket.closeCode).toBeUndefined();
  });

  it("gets its result and its complete over graphql-sse", async () => {
    t = await bulky();
    const response = await fetch(t.server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query }),
    });
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events).toEqual(["next", "complete"]);
    expect(text).not.toContain("4413");
    expect(text.length).toBeGreaterThan(9_000_000);
  });
});
