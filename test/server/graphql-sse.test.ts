// graphql-sse on /graphql, both modes, read with graphql-sse's own client.

import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/api/index.js";
import { ResourceChangesDocument } from "../generated/graphql.js";
import { type SseClient, sseClient } from "../support/sse-client.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";

let t: TestServer | undefined;
const clients: SseClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await t?.server.close();
  t = undefined;
});

function client(url: string, options: Parameters<typeof sseClient>[1] = {}): SseClient {
  const made = sseClient(url, options);
  clients.push(made);
  return made;
}

function names(
  results: { data?: { resourceChanges: { type: string; resource?: { name: string } | null } } | null }[],
) {
  return results.map((r) => [r.data?.resourceChanges.type, r.data?.resourceChanges.resource?.name ?? null]);
}

describe.each([
  ["distinct connections", false],
  ["a single connection", true],
])("graphql-sse over %s", (_mode, singleConnection) => {
  it("resumes after a query's sequence, then streams live changes, in order", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    graph.upsert(cluster, podType, pod("before", "default"));
    const since = graph.log.cursor();
    graph.upsert(cluster, podType, pod("backlog", "default"));
    const sse = client(server.url, { singleConnection });
    const subscription = sse.subscribe(ResourceChangesDocument, { since });
    const first = await subscription.next();
    graph.upsert(cluster, podType, pod("live", "default"));
    graph.delete(cluster, podType, pod("before", "default"));
    const rest = [await subscription.next(), await subscription.next()];
    expect(names([first, ...rest] as never)).toEqual([
      ["ADDED", "backlog"],
      ["ADDED", "live"],
      ["DELETED", "before"],
    ]);
    expect(rest.at(-1)?.data?.resourceChanges.sequence).toBe(graph.log.cursor());
    await subscription.close();
    await eventually(() => graph.log.listenerCount === 0, 10_000, "the subscription to be released");
  });

  it("answers a query and reports validation errors as results", async () => {
    t = await startTestServer();
    const sse = client(t.server.url, { singleConnection });
    const answer = await sse.subscribe("{ clusters { id } }").next();
    expect(answer).toEqual({ data: { clusters: [{ id: cluster.id }] } });
    const invalid = sse.subscribe("subscription { resourceChanges { noSuchField } }");
    const failure = await invalid.next().catch((error: unknown) => error);
    if (singleConnection) {
      // An operation request is plain GraphQL over HTTP: a validation error is its 400 answer.
      const response = (failure as { response?: Response }).response;
      expect(response?.status).toBe(400);
    } else {
      expect(JSON.stringify(failure)).toContain("noSuchField");
    }
  });
});

describe("graphql-sse single connection mode", () => {
  it("carries several subscriptions on one stream and stops each on its own", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const sse = client(server.url, { singleConnection: true });
    const all = sse.subscribe(ResourceChangesDocument, {});
    const kube = sse.subscribe(ResourceChangesDocument, { filter: { namespaces: ["kube-system"] } });
    await eventually(() => graph.log.listenerCount === 2, 10_000, "both subscriptions to start");
    graph.upsert(cluster, podType, pod("one", "kube-system"));
    expect(names([await all.next(), await kube.next()] as never)).toEqual([
      ["ADDED", "one"],
      ["ADDED", "one"],
    ]);
    await kube.close();
    await eventually(() => graph.log.listenerCount === 1, 10_000, "the stopped one to be released");
    graph.upsert(cluster, podType, pod("two", "kube-system"));
    expect(names([await all.next()] as never)).toEqual([["ADDED", "two"]]);
  });

  it("refuses a second stream for one reservation, an unknown token, and a stale reservation", async () => {
    t = await startTestServer({ limits: { connectionInitTimeoutMs: 200 } });
    const url = t.server.url;
    const reserved = await fetch(url, { method: "PUT" });
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    const headers = { "x-graphql-event-stream-token": token, accept: "text/event-stream" };
    const aborter = new AbortController();
    const stream = await fetch(url, { headers, signal: aborter.signal });
    expect(stream.status).toBe(200);
    expect((await fetch(url, { headers })).status).toBe(409);
    expect(
      (await fetch(url, { headers: { ...headers, "x-graphql-event-stream-token": "nope" } })).status,
    ).toBe(404);
    aborter.abort();

    const stale = await (await fetch(url, { method: "PUT" })).text();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await fetch(url, {
      headers: { "x-graphql-event-stream-token": stale, accept: "text/event-stream" },
    });
    expect(late.status).toBe(404);
  });

  it("requires an operation id, and refuses one already running", async () => {
    t = await startTestServer();
    const url = t.server.url;
    const token = await (await fetch(url, { method: "PUT" })).text();
    const post = (body: unknown) =>
      fetch(url, {
        method: "POST",
        headers: { "x-graphql-event-stream-token": token, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const query = "subscription { resourceChanges { sequence } }";
    expect((await post({ query })).status).toBe(400);
    expect((await post({ query, extensions: { operationId: "a" } })).status).toBe(202);
    expect((await post({ query, extensions: { operationId: "a" } })).status).toBe(409);
  });
});

describe("graphql-sse under the server's rules", () => {
  it("takes the same token as HTTP and refuses other sites' browsers", async () => {
    t = await startTestServer({ token: "sse-token" });
    const url = t.server.url;
    const body = JSON.stringify({ query: "subscription { resourceChanges { sequence } }" });
    const open = (headers: Record<string, string>) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
        body,
      });
    expect((await open({})).status).toBe(401);
    expect((await fetch(url, { method: "PUT" })).status).toBe(401);
    expect((await open({ authorization: "Bearer sse-token", origin: "https://evil.example" })).status).toBe(
      403,
    );
    const sse = client(url, { headers: { authorization: "Bearer sse-token" } });
    const subscription = sse.subscribe(ResourceChangesDocument, {});
    await eventually(() => t!.graph.log.listenerCount === 1, 10_000, "the subscription to start");
    t.graph.upsert(cluster, podType, pod("authorized", "default"));
    expect(names([await subscription.next()] as never)).toEqual([["ADDED", "authorized"]]);
  });

  it("counts streams against the connection limit, shared with WebSockets", async () => {
    t = await startTestServer({ limits: { maxConnections: 1 } });
    const url = t.server.url;
    const aborter = new AbortController();
    const body = JSON.stringify({ query: "subscription { resourceChanges { sequence } }" });
    const headers = { "content-type": "application/json", accept: "text/event-stream" };
    const first = await fetch(url, { method: "POST", headers, body, signal: aborter.signal });
    expect(first.status).toBe(200);
    const second = await fetch(url, { method: "POST", headers, body });
    expect(second.status).toBe(503);
    expect((await fetch(url, { method: "PUT" })).status).toBe(503);
    aborter.abort();
    await eventually(async () => (await fetch(url, { method: "PUT" })).status === 201, 10_000, "room again");
  });

  it("leaves no subscription path through yoga's own HTTP handling", async () => {
    t = await startTestServer();
    const post = (accept: string) =>
      fetch(t!.server.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: "subscription { resourceChanges { sequence } }" }),
      });
    const json = await post("application/json");
    expect(await json.text()).toContain(ErrorCode.Unsupported);
    expect((await post("multipart/mixed")).status).toBe(406);
    expect(t.graph.log.listenerCount).toBe(0);
  });
});
