import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { configMap, get, request, startEmpty, WatchReader } from "./sim-client.js";

const cms = "/api/v1/namespaces/default/configmaps";
const fault = (sim: RunningSimulator, body: unknown) => request(sim, "POST", "/sim/faults", body);

describe("simulator faults", () => {
  let sim: RunningSimulator;
  const readers: WatchReader[] = [];
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await sim?.close();
  });
  const watch = async (path: string) => {
    const reader = await WatchReader.open(sim, path);
    readers.push(reader);
    return reader;
  };

  it("answers the next N requests with 429 and Retry-After, then recovers", async () => {
    sim = await startEmpty();
    const applied = await fault(sim, { action: "fail", status: 429, count: 2, retryAfterSeconds: 3 });
    expect(applied.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const throttled = await get(sim, cms);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("3");
      expect(throttled.body).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
    }
    expect((await get(sim, cms)).status).toBe(200);
  });

  it("limits a failure to requests whose path matches", async () => {
    sim = await startEmpty();
    await fault(sim, { action: "fail", status: 500, count: 5, path: "/configmaps" });
    expect((await get(sim, "/api/v1/namespaces")).status).toBe(200);
    const failed = await get(sim, cms);
    expect(failed.status).toBe(500);
    expect(failed.body.reason).toBe("InternalError");
    const state = await get(sim, "/sim/faults");
    expect((state.body.rules as { remaining: number }[])[0]!.remaining).toBe(4);
    await request(sim, "DELETE", "/sim/faults");
    expect((await get(sim, cms)).status).toBe(200);
  });

  it("sends a 410 on a watch as an ERROR event, and on a list as an HTTP status", async () => {
    sim = await startEmpty();
    await fault(sim, [
      { action: "fail", status: 410, count: 1, watchOnly: true },
      { action: "fail", status: 410, count: 1, path: "continue=" },
    ]);
    const stream = await watch(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    const events = await stream.end();
    expect(stream.status).toBe(200);
    expect(events.map((event) => [event.type, event.object.code])).toEqual([["ERROR", 410]]);
    expect((await get(sim, cms)).status).toBe(200);
    expect((await get(sim, `${cms}?limit=1&continue=abc`)).status).toBe(410);
  });

  it("drops every open watch", async () => {
    sim = await startEmpty();
    const a = await watch(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    const b = await watch(`/api/v1/namespaces?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await a.next(0, 100);
    expect(sim.openWatches()).toBe(2);
    const dropped = await fault(sim, { action: "drop-watches" });
    expect(dropped.body.applied).toEqual([{ action: "drop-watches", affected: 2 }]);
    await a.end();
    await b.end();
    expect(a.ended && b.ended).toBe(true);
    expect(sim.openWatches()).toBe(0);
  });

  it("ends every open watch cleanly", async () => {
    sim = await startEmpty();
    const stream = await watch(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await stream.next(0, 100);
    const ended = await fault(sim, { action: "end-watches" });
    expect(ended.body.applied).toEqual([{ action: "end-watches", affected: 1 }]);
    await stream.end();
    expect(stream.ended).toBe(true);
    expect(stream.received).toEqual([]);
  });

  it("stalls streams: nothing more arrives and the connection stays open", async () => {
    sim = await startEmpty();
    const stream = await watch(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await request(sim, "POST", cms, configMap("before-stall"));
    expect((await stream.next(1)).length).toBe(1);
    await fault(sim, { action: "stall-watches" });
    await request(sim, "POST", cms, configMap("during-stall"));
    const events = await stream.next(2, 300);
    expect(events.length).toBe(1);
    expect(stream.ended).toBe(false);
    expect(sim.openWatches()).toBe(1);
  });

  it("restarts with lost history: watches cut, old resourceVersions expired, a new epoch", async () => {
    sim = await startEmpty();
    const created = await request(sim, "POST", cms, configMap("survivor"));
    const oldVersion = Number((created.body.metadata as { resourceVersion: string }).resourceVersion);
    const stream = await watch(`${cms}?watch=1&resourceVersion=${oldVersion}`);
    const restarted = await fault(sim, { action: "restart" });
    const [result] = restarted.body.applied as { resourceVersion: string; affected: number }[];
    expect(result!.affected).toBe(1);
    expect(Number(result!.resourceVersion)).toBeGreaterThan(oldVersion + 1000);
    await stream.end();
    expect(stream.ended).toBe(true);
    const resumed = await watch(`${cms}?watch=1&resourceVersion=${oldVersion}`);
    const events = await resumed.end();
    expect(events[0]!.type).toBe("ERROR");
    expect(events[0]!.object.code).toBe(410);
    // The objects are still there, and new writes continue in the new epoch.
    expect((await get(sim, `${cms}/survivor`)).status).toBe(200);
    const next = await request(sim, "POST", cms, configMap("after-restart"));
    expect(Number((next.body.metadata as { resourceVersion: string }).resourceVersion)).toBeGreaterThan(
      Number(result!.resourceVersion),
    );
  });

  it("hangs matching requests without an answer until the client gives up", async () => {
    sim = await startEmpty();
    await fault(sim, { action: "hang", count: 1, path: "/configmaps" });
    const hung = fetch(`${sim.url}${cms}`, { signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
    expect((await get(sim, cms)).status).toBe(200);
  });

  it("injects bad data into open watches of one resource", async () => {
    sim = await startEmpty();
    const configMaps = await watch(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    const namespaces = await watch(`/api/v1/namespaces?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await configMaps.next(0, 100);
    const raw = await fault(sim, {
      action: "inject",
      resource: "configmaps",
      raw: '{"type":"ADDED","object":{"metadata":{"name":"ok"}}}',
    });
    expect(raw.body.applied).toEqual([{ action: "inject", affected: 1 }]);
    const orphan = { type: "ADDED", object: { kind: "ConfigMap", apiVersion: "v1" } };
    await fault(sim, { action: "inject", resource: "configmaps", group: "", event: orphan });
    const events = await configMaps.next(2);
    expect(events[0]!.object.metadata?.name).toBe("ok");
    expect(events[1]).toEqual(orphan);
    expect((await namespaces.next(1, 200)).length).toBe(0);
    expect((await fault(sim, { action: "inject", resource: "configmaps" })).status).toBe(400);
  });

  it("delays matching requests, then answers them", async () => {
    sim = await startEmpty();
    await fault(sim, { action: "delay", ms: 200, count: 1, path: "/configmaps" });
    const state = await get(sim, "/sim/faults");
    expect(state.body.rules).toEqual([
      { kind: "delay", ms: 200, remaining: 1, path: "/configmaps", watchOnly: false },
    ]);
    const started = Date.now();
    const late = await get(sim, cms);
    expect(late.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((await fault(sim, { action: "delay", ms: -1 })).status).toBe(400);
  });

  it("applies faults given at start", async () => {
    sim = await startEmpty({ faults: [{ action: "fail", status: 503, count: 1, retryAfterSeconds: 2 }] });
    const first = await get(sim, cms);
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("2");
    expect((await get(sim, cms)).status).toBe(200);
  });

  it("partitions one client by a header: it hears nothing, others are answered, heal restores", async () => {
    sim = await startEmpty();
    const cutOff = { authorization: "Bearer replica-a" };
    const other = { authorization: "Bearer replica-b" };
    const cutOffWatch = await WatchReader.open(
      sim,
      `${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`,
      cutOff,
    );
    readers.push(cutOffWatch);
    const otherWatch = await WatchReader.open(
      sim,
      `${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`,
      other,
    );
    readers.push(otherWatch);

    const applied = await fault(sim, { action: "partition", header: "Authorization", pattern: "replica-a$" });
    expect(applied.body.applied).toEqual([{ action: "partition", affected: 1 }]);
    const state = await get(sim, "/sim/faults");
    expect(state.body.partitions).toEqual([{ header: "authorization", pattern: "replica-a$" }]);

    const hung = fetch(`${sim.url}${cms}`, { headers: cutOff, signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
    expect((await get(sim, cms, other)).status).toBe(200);
    expect((await get(sim, cms)).status).toBe(200);

    await request(sim, "POST", cms, configMap("during-partition"));
    expect((await otherWatch.next(1)).length).toBe(1);
    expect((await cutOffWatch.next(1, 300)).length).toBe(0);
    expect(cutOffWatch.ended).toBe(false);

    const healed = await fault(sim, { action: "heal" });
    expect(healed.body.applied).toEqual([{ action: "heal", affected: 1 }]);
    expect((await get(sim, cms, cutOff)).status).toBe(200);
    expect((await get(sim, "/sim/faults")).body.partitions).toEqual([]);
  });

  it("ends partitions on clear, and rejects a partition it cannot apply", async () => {
    sim = await startEmpty();
    const cutOff = { authorization: "Bearer replica-a" };
    await fault(sim, { action: "partition", header: "authorization", pattern: "replica-a" });
    await request(sim, "DELETE", "/sim/faults");
    expect((await get(sim, cms, cutOff)).status).toBe(200);

    const badPattern = await fault(sim, { action: "partition", header: "authorization", pattern: "(" });
    expect(badPattern.status).toBe(400);
    expect(badPattern.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
    expect(badPattern.body.message).toContain("not a valid regular expression");
    expect((await fault(sim, { action: "partition", header: "bad header", pattern: "x" })).status).toBe(400);
    expect((await fault(sim, { action: "partition", header: "authorization" })).status).toBe(400);
    expect((await get(sim, "/sim/faults")).body.partitions).toEqual([]);
  });

  it("rejects a malformed fault with 400 and keeps serving", async () => {
    sim = await startEmpty();
    expect((await fault(sim, { action: "explode" })).status).toBe(400);
    expect((await fault(sim, { action: "fail", status: 200 })).status).toBe(400);
    expect((await fault(sim, { action: "fail", status: 500, path: "(" })).status).toBe(400);
    expect((await fault(sim, "{")).status).toBe(400);
    expect((await get(sim, cms)).status).toBe(200);
  });
});
