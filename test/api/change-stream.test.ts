import { describe, expect, it } from "vitest";
import { type ChangeEvent, ChangeSubscription, openChangeStream, resumePoint } from "../../src/api/index.js";
import { ResourceGraph } from "../../src/graph/index.js";
import { cluster, configMap, configMapType, pod, podType } from "../server/fixtures.js";

const everything = () => true;

async function drain(stream: AsyncIterableIterator<ChangeEvent>, count: number): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  for (let i = 0; i < count; i++) {
    const step = await stream.next();
    if (step.done) break;
    events.push(step.value);
  }
  return events;
}

function sequenceNumber(graph: ResourceGraph, event: ChangeEvent): number {
  const n = graph.log.parseCursor(event.sequence);
  if (n === undefined) throw new Error(`not a cursor of this log: ${event.sequence}`);
  return n;
}

describe("change stream", () => {
  it("delivers the backlog after `since`, then live changes, with no gap and no duplicate", async () => {
    const graph = new ResourceGraph();
    for (let i = 0; i < 5; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    const since = graph.log.cursor(2);
    const stream = openChangeStream(graph.log, { since, matches: everything, capacity: 100 });
    for (let i = 5; i < 8; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    graph.delete(cluster, podType, pod("p0", "default"));
    const events = await drain(stream, 6);
    expect(events.map((e) => sequenceNumber(graph, e))).toEqual([3, 4, 5, 6, 7, 8]);
    const rest = await drain(stream, 1);
    expect(rest.map((e) => [e.type, e.resource?.name])).toEqual([["DELETED", "p0"]]);
    await stream.return?.();
  });

  it("starts with live changes only when no `since` is given", async () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, podType, pod("old", "default"));
    const stream = openChangeStream(graph.log, { matches: everything, capacity: 10 });
    const pending = stream.next();
    graph.upsert(cluster, podType, pod("new", "default"));
    const step = await pending;
    expect(step.done).toBe(false);
    expect(step.value).toMatchObject({ type: "ADDED", resource: { name: "new" } });
    await stream.return?.();
  });

  it.each([
    ["malformed", () => "garbage"],
    ["from another process", () => "0123456789ab:1"],
    ["ahead of the log", (g: ResourceGraph) => g.log.cursor(99)],
    ["older than the retained window", (g: ResourceGraph) => g.log.cursor(1)],
  ])("sends RESYNC first when `since` is %s, then live changes", async (_label, since) => {
    const graph = new ResourceGraph({ retainedChanges: 3 });
    for (let i = 0; i < 10; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    const stream = openChangeStream(graph.log, { since: since(graph), matches: everything, capacity: 10 });
    graph.upsert(cluster, podType, pod("live", "default"));
    const [resync, live] = await drain(stream, 2);
    expect(resync).toEqual({
      type: "RESYNC",
      resource: null,
      sequence: graph.log.cursor(10),
      time: expect.any(Number),
    });
    expect(live).toMatchObject({ type: "ADDED", sequence: graph.log.cursor(11), resource: { name: "live" } });
    await stream.return?.();
  });

  it("applies the filter to the backlog and to live changes", async () => {
    const graph = new ResourceGraph();
    const since = graph.log.cursor();
    graph.upsert(cluster, podType, pod("p1", "default"));
    graph.upsert(cluster, configMapType, configMap("c1", "default"));
    const stream = openChangeStream(graph.log, {
      since,
      matches: graph.matcher({ kinds: ["ConfigMap"] }),
      capacity: 10,
    });
    graph.upsert(cluster, podType, pod("p2", "default"));
    graph.upsert(cluster, configMapType, configMap("c2", "default"));
    const events = await drain(stream, 2);
    expect(events.map((e) => e.resource?.name)).toEqual(["c1", "c2"]);
    await stream.return?.();
  });

  it("sends RESYNC when the log's ring moves past a backlog the reader had not replayed yet", async () => {
    const graph = new ResourceGraph({ retainedChanges: 5 });
    for (let i = 0; i < 4; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    const stream = openChangeStream(graph.log, {
      since: graph.log.cursor(0),
      matches: everything,
      capacity: 100,
    });
    const [first] = await drain(stream, 1);
    expect(first).toMatchObject({ type: "ADDED", resource: { name: "p0" } });
    for (let i = 4; i < 14; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    const [resync] = await drain(stream, 1);
    expect(resync).toEqual({
      type: "RESYNC",
      resource: null,
      sequence: graph.log.cursor(14),
      time: expect.any(Number),
    });
    // The changes queued live before the RESYNC are covered by the re-read it asks for: next comes
    // the first change after it.
    graph.upsert(cluster, podType, pod("live", "default"));
    const [live] = await drain(stream, 1);
    expect(live).toMatchObject({ type: "ADDED", resource: { name: "live" }, sequence: graph.log.cursor(15) });
    await stream.return?.();
  });

  it("tells a filtered reader an object moved into its filter (ADDED) or out of it (DELETED)", async () => {
    const graph = new ResourceGraph();
    const stream = openChangeStream(graph.log, {
      since: graph.log.cursor(),
      matches: graph.matcher({ labelSelector: "tier=web" }),
      capacity: 10,
    });
    graph.upsert(cluster, podType, pod("p", "default", { labels: { tier: "db" }, rv: "1" }));
    graph.upsert(cluster, podType, pod("p", "default", { labels: { tier: "web" }, rv: "2" }));
    graph.upsert(cluster, podType, pod("p", "default", { labels: { tier: "web", v: "2" }, rv: "3" }));
    graph.upsert(cluster, podType, pod("p", "default", { labels: { tier: "db" }, rv: "4" }));
    graph.upsert(cluster, podType, pod("p", "default", { labels: { tier: "cache" }, rv: "5" }));
    graph.delete(cluster, podType, pod("p", "default", { labels: { tier: "cache" }, rv: "6" }));
    graph.upsert(cluster, podType, pod("q", "default", { labels: { tier: "web" }, rv: "7" }));
    const events = await drain(stream, 4);
    expect(events.map((e) => [e.type, e.resource?.name, e.resource?.resourceVersion])).toEqual([
      ["ADDED", "p", "2"],
      ["MODIFIED", "p", "3"],
      ["DELETED", "p", "4"],
      ["ADDED", "q", "7"],
    ]);
    await stream.return?.();
  });

  it("on overflow drops what a slow reader has not taken and sends RESYNC, then goes on", async () => {
    const graph = new ResourceGraph();
    let overflows = 0;
    const stream = openChangeStream(graph.log, {
      matches: everything,
      capacity: 4,
      onOverflow: () => overflows++,
    });
    for (let i = 0; i < 50; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    expect(overflows).toBeGreaterThan(0);
    const events: ChangeEvent[] = [];
    for (;;) {
      const pending = stream.next();
      const step = await Promise.race([
        pending,
        new Promise<"idle">((resolve) => setImmediate(() => resolve("idle"))),
      ]);
      if (step === "idle") {
        graph.upsert(cluster, podType, pod("after", "default"));
        const last = await pending;
        if (!last.done) events.push(last.value);
        break;
      }
      if (step.done) break;
      events.push(step.value);
    }
    // Never more than the queue's capacity plus the RESYNC is held for the reader.
    expect(events.length).toBeLessThanOrEqual(4 + 2);
    const resync = events.find((e) => e.type === "RESYNC");
    expect(resync).toBeDefined();
    const afterResync = events.slice(events.indexOf(resync!) + 1).map((e) => sequenceNumber(graph, e));
    // What follows the RESYNC is consecutive and ends with the newest change.
    expect(afterResync.at(-1)).toBe(51);
    for (let i = 1; i < afterResync.length; i++) expect(afterResync[i]).toBe(afterResync[i - 1]! + 1);
    expect(sequenceNumber(graph, resync!)).toBeLessThan(afterResync[0]!);
    await stream.return?.();
  });

  it("frees its listener and ends a pending read when the reader goes away", async () => {
    const graph = new ResourceGraph();
    let closed = 0;
    const stream = openChangeStream(graph.log, {
      matches: everything,
      capacity: 10,
      onClose: () => closed++,
    });
    expect(graph.log.listenerCount).toBe(1);
    const pending = stream.next();
    await stream.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(graph.log.listenerCount).toBe(0);
    await stream.return?.();
    expect(closed).toBe(1);
    graph.upsert(cluster, podType, pod("later", "default"));
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("treats a filter that throws as not matching instead of failing the log", async () => {
    const graph = new ResourceGraph();
    const stream = openChangeStream(graph.log, {
      matches: (r) => {
        if (r.name === "bad") throw new Error("boom");
        return true;
      },
      capacity: 10,
    });
    graph.upsert(cluster, podType, pod("bad", "default"));
    graph.upsert(cluster, podType, pod("good", "default"));
    const [event] = await drain(stream, 1);
    expect(event?.resource?.name).toBe("good");
    await stream.return?.();
  });

  it("says where a subscriber starts: live, from the backlog, or with RESYNC", () => {
    const graph = new ResourceGraph({ retainedChanges: 3 });
    expect(resumePoint(graph.log, undefined)).toEqual({ kind: "live" });
    for (let i = 0; i < 6; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    expect(resumePoint(graph.log, graph.log.cursor())).toEqual({ kind: "live" });
    expect(resumePoint(graph.log, graph.log.cursor(4))).toEqual({ kind: "backlog", from: 5 });
    expect(resumePoint(graph.log, graph.log.cursor(1))).toEqual({ kind: "resync", at: 6 });
    expect(resumePoint(graph.log, "0123456789ab:5")).toEqual({ kind: "resync", at: 6 });
  });

  it("opens a ChangeSubscription's stream only when it is iterated", async () => {
    const graph = new ResourceGraph();
    let opened = 0;
    const subscription = new ChangeSubscription(graph.log, {
      matches: everything,
      capacity: 10,
      onOpen: () => opened++,
    });
    expect(graph.log.listenerCount).toBe(0);
    const stream = subscription[Symbol.asyncIterator]();
    expect(graph.log.listenerCount).toBe(1);
    expect(opened).toBe(1);
    graph.upsert(cluster, podType, pod("seen", "default"));
    expect((await stream.next()).value).toMatchObject({ type: "ADDED", resource: { name: "seen" } });
    await stream.return?.();
    expect(graph.log.listenerCount).toBe(0);
  });
});
