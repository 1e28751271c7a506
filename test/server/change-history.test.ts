// Query.changes, Resource.history and the time on every change, over HTTP and graphql-ws.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { ResourceGraph } from "../../src/graph/index.js";
import {
  ChangesDocument,
  ChangeTimesDocument,
  DeletedHistoryDocument,
  HistoryDocument,
} from "../generated/graphql.js";
import { query, queryData, subscribe } from "../support/graphql-client.js";
import {
  cluster,
  configMap,
  configMapType,
  pod,
  podType,
  startTestServer,
  type TestServer,
} from "./fixtures.js";

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const nodeId = (key: string) => Buffer.from(`Resource:${key}`).toString("base64");

let t: TestServer | undefined;

afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

/** A server whose change log's clock the test sets. */
async function serverWithClock(options: { retainedChanges?: number } = {}) {
  const clock = { now: Date.parse("2026-12-01T10:00:00.000Z") };
  const graph = new ResourceGraph({
    retainedChanges: options.retainedChanges ?? 10_000,
    now: () => clock.now,
  });
  t = await startTestServer({ graph });
  return { server: t.server, graph, clock };
}

describe("Query.changes", () => {
  it("lists the retained window oldest first, each change with its ISO time, and the cursor to carry on", async () => {
    const { server, graph, clock } = await serverWithClock();
    for (const [i, minute] of [1, 2, 3].entries()) {
      clock.now = Date.parse(`2026-12-01T10:0${minute}:00.000Z`);
      graph.upsert(cluster, configMapType, configMap(`cm-${i}`, "default"));
    }
    const { changes } = await queryData(server.url, ChangesDocument, {});
    expect(changes.changes.map((c) => [c.type, c.resource?.name, c.time])).toEqual([
      ["ADDED", "cm-0", "2026-12-01T10:01:00.000Z"],
      ["ADDED", "cm-1", "2026-12-01T10:02:00.000Z"],
      ["ADDED", "cm-2", "2026-12-01T10:03:00.000Z"],
    ]);
    expect(changes).toMatchObject({ next: graph.log.cursor(3), complete: true, hasMore: false });
    graph.upsert(cluster, configMapType, configMap("cm-3", "default"));
    const more = await queryData(server.url, ChangesDocument, { since: changes.next });
    expect(more.changes.changes.map((c) => c.resource?.name)).toEqual(["cm-3"]);
  });

  it("starts at sinceTime, and filters as resourceChanges does", async () => {
    const { server, graph, clock } = await serverWithClock();
    clock.now = Date.parse("2026-12-01T10:05:00.000Z");
    graph.upsert(cluster, podType, pod("early", "default", { labels: { app: "web" } }));
    clock.now = Date.parse("2026-12-01T10:10:00.000Z");
    graph.upsert(cluster, podType, pod("late", "default", { labels: { app: "web" } }));
    graph.upsert(cluster, podType, pod("late", "default", { labels: { app: "db" }, rv: "2" }));
    graph.upsert(cluster, configMapType, configMap("late-cm", "default"));
    const { changes } = await queryData(server.url, ChangesDocument, {
      sinceTime: "2026-12-01T11:07:00+01:00",
      filter: { kinds: ["Pod"], labelSelector: "app=web" },
    });
    // The relabel takes the pod out of the filter: for this filter it is DELETED, with its new state.
    expect(changes.changes.map((c) => [c.type, c.resource?.name, c.resource?.labels])).toEqual([
      ["ADDED", "late", { app: "web" }],
      ["DELETED", "late", { app: "db" }],
    ]);
    expect(changes.complete).toBe(true);
    expect(changes.next).toBe(graph.log.cursor(4));
  });

  it("says the list is incomplete once the window no longer reaches back to since", async () => {
    const { server, graph } = await serverWithClock({ retainedChanges: 3 });
    for (let i = 0; i < 6; i++) graph.upsert(cluster, configMapType, configMap(`cm-${i}`, "default"));
    const { changes } = await queryData(server.url, ChangesDocument, { since: graph.log.cursor(1) });
    expect(changes.complete).toBe(false);
    expect(changes.changes.map((c) => c.resource?.name)).toEqual(["cm-3", "cm-4", "cm-5"]);
  });

  it.each([
    [{ since: "x:1", sinceTime: "2026-12-01T10:00:00Z" }, "give since or sinceTime, not both"],
    [
      { sinceTime: "yesterday" },
      'sinceTime must be an RFC 3339 timestamp with an offset, such as 2026-12-01T22:00:00Z; got "yesterday"',
    ],
    [{ sinceTime: "2026-12-01T10:00:00" }, "sinceTime must be an RFC 3339 timestamp"],
    [{ sinceTime: "2026-02-31T10:00:00Z" }, "sinceTime must be an RFC 3339 timestamp"],
    [{ first: 100_000 }, "first must be between 0 and 1000"],
    [{ filter: { labelSelector: "a in (" } }, "label selector: unable to parse requirement"],
  ])("refuses %j with a clear error", async (variables, message) => {
    t = await startTestServer();
    const result = await query(t.server.url, ChangesDocument, variables);
    expect(result.errors?.[0]?.message).toContain(message);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is priced per change asked for, whole objects included", async () => {
    t = await startTestServer();
    const costly = parse(
      `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: changes(first: 1000) { changes { resource { object } } }`).join(" ")} }`,
    ) as TypedDocumentNode<unknown, Record<string, never>>;
    const result = await query(t.server.url, costly, {});
    expect(result.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });
});

describe("Resource.history", () => {
  it("lists one object's changes in the window, newest first, bounded by first", async () => {
    const { server, graph, clock } = await serverWithClock();
    for (let rv = 1; rv <= 4; rv++) {
      clock.now += 1_000;
      graph.upsert(cluster, configMapType, configMap("watched", "default", String(rv)));
      graph.upsert(cluster, configMapType, configMap(`other-${rv}`, "default"));
    }
    const key = `${cluster.id}/uid-cm-default-watched`;
    const { node } = await queryData(server.url, HistoryDocument, { id: nodeId(key) });
    if (node === null || node === undefined || !("history" in node)) throw new Error("expected a Resource");
    expect(node.history.map((c) => [c.type, c.resource?.resourceVersion])).toEqual([
      ["MODIFIED", "4"],
      ["MODIFIED", "3"],
      ["MODIFIED", "2"],
      ["ADDED", "1"],
    ]);
    expect(node.history.map((c) => c.sequence)).toEqual([7, 5, 3, 1].map((s) => graph.log.cursor(s)));
    expect(node.history[0]?.time).toBe("2026-12-01T10:00:04.000Z");
    const short = await queryData(server.url, HistoryDocument, { id: nodeId(key), first: 2 });
    if (short.node === null || short.node === undefined || !("history" in short.node))
      throw new Error("no node");
    expect(short.node.history.map((c) => c.resource?.resourceVersion)).toEqual(["4", "3"]);
  });

  it("reaches a deleted object's history through its DELETED change", async () => {
    const { server, graph } = await serverWithClock();
    graph.upsert(cluster, configMapType, configMap("gone", "default", "1"));
    graph.upsert(cluster, configMapType, configMap("gone", "default", "2"));
    graph.delete(cluster, configMapType, configMap("gone", "default", "3"));
    const { changes } = await queryData(server.url, DeletedHistoryDocument, {
      filter: { names: ["gone"] },
      first: 10,
    });
    const deleted = changes.changes.find((c) => c.type === "DELETED");
    expect(deleted?.resource?.history.map((c) => [c.type, c.resource?.resourceVersion])).toEqual([
      ["DELETED", "3"],
      ["MODIFIED", "2"],
      ["ADDED", "1"],
    ]);
  });
});

describe("times on the change stream", () => {
  it("stamps every change, and a RESYNC with when it was made", async () => {
    const { server, graph, clock } = await serverWithClock({ retainedChanges: 2 });
    for (let i = 0; i < 5; i++) graph.upsert(cluster, configMapType, configMap(`cm-${i}`, "default"));
    clock.now = Date.parse("2026-12-01T12:00:00.000Z");
    const subscription = subscribe(server.url, ChangeTimesDocument, { since: graph.log.cursor(1) });
    try {
      const resync = await subscription.next();
      expect(resync.resourceChanges).toEqual({
        type: "RESYNC",
        sequence: graph.log.cursor(5),
        time: "2026-12-01T12:00:00.000Z",
      });
      clock.now = Date.parse("2026-12-01T12:30:00.000Z");
      graph.upsert(cluster, configMapType, configMap("live", "default"));
      const live = await subscription.next();
      expect(live.resourceChanges.time).toMatch(isoTime);
      expect(live.resourceChanges).toMatchObject({ type: "ADDED", time: "2026-12-01T12:30:00.000Z" });
    } finally {
      await subscription.close();
    }
  });
});
