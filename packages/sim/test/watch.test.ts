import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { configMap, get, namesOf, request, startBare, type WatchEvent, WatchReader } from "./sim-client.js";

const cms = "/api/v1/namespaces/default/configmaps";

describe("simulator watch", () => {
  let sim: RunningSimulator;
  const readers: WatchReader[] = [];
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await sim?.close();
  });
  const open = async (path: string, headers?: Record<string, string>) => {
    const reader = await WatchReader.open(sim, path, headers);
    readers.push(reader);
    return reader;
  };

  it("streams creates, updates and deletes after the list's resourceVersion, one JSON event per line", async () => {
    sim = await startBare();
    await request(sim, "POST", cms, configMap("before"));
    const list = await get(sim, cms);
    const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const watch = await open(`${cms}?watch=true&resourceVersion=${rv}`);
    expect(watch.status).toBe(200);
    expect(watch.contentType).toBe("application/json");
    await request(sim, "POST", cms, configMap("after", {}, { a: "1" }));
    await request(
      sim,
      "PATCH",
      `${cms}/after`,
      { data: { a: "2" } },
      { "content-type": "application/merge-patch+json" },
    );
    await request(sim, "DELETE", `${cms}/after`);
    const events = await watch.next(3);
    expect(namesOf(events)).toEqual(["ADDED:after", "MODIFIED:after", "DELETED:after"]);
    expect(events[0]!.object.kind).toBe("ConfigMap");
    expect(events[0]!.object.apiVersion).toBe("v1");
    const versions = events.map((event) => Number(event.object.metadata?.resourceVersion));
    expect(versions[0]).toBeGreaterThan(Number(rv));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(3);
  });

  it("starts with the current state as ADDED when no resourceVersion is given", async () => {
    sim = await startBare();
    await request(sim, "POST", cms, configMap("one"));
    await request(sim, "POST", cms, configMap("two"));
    const watch = await open(`${cms}?watch=1`);
    expect(namesOf(await watch.next(2))).toEqual(["ADDED:one", "ADDED:two"]);
  });

  it("streams an initial state larger than any buffer to a client that reads slowly", async () => {
    sim = await startBare();
    const padding = "x".repeat(3000);
    for (let i = 0; i < 12_000; i++) {
      sim.api.create("", "v1", "configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `big-${i}`, namespace: "default" },
        data: { padding },
      });
    }
    const { request: httpRequest } = await import("node:http");
    const counted = await new Promise<{ added: number; last: string }>((resolve, reject) => {
      const req = httpRequest(`${sim.url}${cms}?watch=1&timeoutSeconds=30`, (res) => {
        // Read nothing for a while, so the server has to wait for the client.
        res.pause();
        setTimeout(() => {
          let buffer = "";
          let added = 0;
          let last = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf("\n");
            while (newline >= 0) {
              const event = JSON.parse(buffer.slice(0, newline)) as {
                type: string;
                object: { metadata: { name: string } };
              };
              buffer = buffer.slice(newline + 1);
              if (event.type === "ADDED") added++;
              last = `${event.type}:${event.object.metadata.name}`;
              if (last === "ADDED:after-snapshot") {
                req.destroy();
                resolve({ added, last });
              }
              newline = buffer.indexOf("\n");
            }
          });
          res.resume();
          sim.api.create("", "v1", "configmaps", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "after-snapshot", namespace: "default" },
          });
        }, 300);
      });
      req.on("error", reject);
      req.end();
    });
    expect(counted).toEqual({ added: 12_001, last: "ADDED:after-snapshot" });
    expect(sim.openWatches()).toBeLessThanOrEqual(1);
  }, 60_000);

  it("resumes from an older resourceVersion out of the history", async () => {
    sim = await startBare();
    const first = await request(sim, "POST", cms, configMap("h1"));
    const rv = (first.body.metadata as { resourceVersion: string }).resourceVersion;
    await request(sim, "POST", cms, configMap("h2"));
    await request(sim, "DELETE", `${cms}/h1`);
    const watch = await open(`${cms}?watch=1&resourceVersion=${rv}`);
    expect(namesOf(await watch.next(2))).toEqual(["ADDED:h2", "DELETED:h1"]);
  });

  it("answers a too-old resourceVersion with an ERROR 410 Expired event", async () => {
    sim = await startBare({ historySize: 3 });
    const first = await request(sim, "POST", cms, configMap("old"));
    const rv = (first.body.metadata as { resourceVersion: string }).resourceVersion;
    for (let i = 0; i < 5; i++) await request(sim, "POST", cms, configMap(`filler-${i}`));
    const watch = await open(`${cms}?watch=1&resourceVersion=${rv}`);
    expect(watch.status).toBe(200);
    const events = await watch.end();
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe("ERROR");
    expect(events[0]!.object).toMatchObject({
      kind: "Status",
      code: 410,
      reason: "Expired",
      status: "Failure",
    });
    expect(String(events[0]!.object.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it("sends nothing at or before a resourceVersion it has not reached, bookmarks included, then what comes after", async () => {
    sim = await startBare({ bookmarkIntervalMs: 20 });
    const start = sim.resourceVersion() + 3;
    const ahead = await open(`${cms}?watch=1&allowWatchBookmarks=true&resourceVersion=${start}`);
    // A watch from the present shows when bookmark ticks have come and gone.
    const present = await open(
      `${cms}?watch=1&allowWatchBookmarks=true&resourceVersion=${sim.resourceVersion()}`,
    );
    expect((await present.next(2)).filter((event) => event.type === "BOOKMARK")).toHaveLength(2);
    for (let i = 1; i <= 5; i++) await request(sim, "POST", cms, configMap(`cm-${i}`));
    const created = sim.api.list("", "v1", "configmaps", "default");
    const after = created.filter((cm) => Number(cm.metadata?.resourceVersion) > start);
    expect(after.length).toBeGreaterThan(0);
    expect(after.length).toBeLessThan(created.length);

    const changesOf = (events: WatchEvent[]) => events.filter((event) => event.type !== "BOOKMARK");
    await eventually(
      async () => changesOf(ahead.received).length >= after.length,
      5_000,
      "the changes after it",
    );
    const events = ahead.received;
    const changes = changesOf(events);
    expect(namesOf(changes)).toEqual(after.map((cm) => `ADDED:${cm.metadata?.name}`));
    const bookmarks = events.filter((event) => event.type === "BOOKMARK");
    for (const bookmark of bookmarks) {
      expect(Number(bookmark.object.metadata?.resourceVersion)).toBeGreaterThanOrEqual(start);
    }
  });

  it("answers a watch-list from a resourceVersion it does not reach in 3 s with ERROR 504 Too large resource version", async () => {
    sim = await startBare();
    const current = sim.resourceVersion();
    const watch = await open(
      `${cms}?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=${current + 1000}`,
    );
    expect(watch.status).toBe(200);
    const events = await watch.end(10_000);
    expect(watch.ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "ERROR",
      object: {
        kind: "Status",
        status: "Failure",
        code: 504,
        reason: "Timeout",
        message: `Timeout: Too large resource version: ${current + 1000}, current: ${current}`,
        details: {
          causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
          retryAfterSeconds: 1,
        },
      },
    });
  });

  it("serves a watch-list from a resourceVersion the store reaches while it waits", async () => {
    sim = await startBare();
    const watch = await open(
      `${cms}?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=${sim.resourceVersion() + 1}`,
    );
    await request(sim, "POST", cms, configMap("arrives"));
    const events = await watch.next(2);
    expect(namesOf(events)).toEqual(["ADDED:arrives", "BOOKMARK:"]);
    expect(events[1]!.object.metadata?.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });

  it("sends bookmarks when asked, and the initial-events-end bookmark for sendInitialEvents", async () => {
    sim = await startBare({ bookmarkIntervalMs: 50 });
    await request(sim, "POST", cms, configMap("present"));
    const watch = await open(
      `${cms}?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=`,
    );
    const events = await watch.next(3);
    expect(events[0]!.type).toBe("ADDED");
    expect(events[1]!.type).toBe("BOOKMARK");
    expect(events[1]!.object.metadata?.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(events[1]!.object.kind).toBe("ConfigMap");
    expect(events[2]!.type).toBe("BOOKMARK");
    expect(Number(events[2]!.object.metadata?.resourceVersion)).toBe(sim.resourceVersion());
  });

  it("validates the watch-list parameters as the real server does", async () => {
    sim = await startBare();
    const status = async (query: string) => (await get(sim, `${cms}?watch=1&${query}`)).status;
    expect(await status("sendInitialEvents=true&resourceVersionMatch=NotOlderThan")).toBe(422);
    expect(await status("sendInitialEvents=true&allowWatchBookmarks=true")).toBe(422);
    expect(await status("resourceVersionMatch=NotOlderThan&resourceVersion=1")).toBe(422);
  });

  it("sends no bookmarks unless asked", async () => {
    sim = await startBare({ bookmarkIntervalMs: 20 });
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}&timeoutSeconds=1`);
    const events = await watch.end(3000);
    expect(events.filter((event) => event.type === "BOOKMARK")).toEqual([]);
  });

  it("ends the stream after timeoutSeconds", async () => {
    sim = await startBare();
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}&timeoutSeconds=1`);
    await watch.end(5000);
    expect(watch.ended).toBe(true);
  });

  it("ends the stream at the server's default timeout", async () => {
    sim = await startBare({ watchTimeoutSeconds: 0.2 });
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await watch.end(5000);
    expect(watch.ended).toBe(true);
  });

  it("filters by label selector and turns selector transitions into ADDED and DELETED", async () => {
    sim = await startBare();
    const watch = await open(
      `${cms}?watch=1&resourceVersion=${sim.resourceVersion()}&labelSelector=tier%3Dweb`,
    );
    await request(sim, "POST", cms, configMap("other", { tier: "db" }));
    await request(sim, "POST", cms, configMap("moving", { tier: "db" }));
    const patch = (tier: string) =>
      request(
        sim,
        "PATCH",
        `${cms}/moving`,
        { metadata: { labels: { tier } } },
        { "content-type": "application/merge-patch+json" },
      );
    await patch("web");
    await patch("db");
    expect(namesOf(await watch.next(2))).toEqual(["ADDED:moving", "DELETED:moving"]);
  });

  it("watches one object by name through a field selector and the old /watch/ path", async () => {
    sim = await startBare();
    const byField = await open(
      `${cms}?watch=1&fieldSelector=metadata.name%3Dtarget&resourceVersion=${sim.resourceVersion()}`,
    );
    const byPath = await open(
      `/api/v1/watch/namespaces/default/configmaps/target?resourceVersion=${sim.resourceVersion()}`,
    );
    await request(sim, "POST", cms, configMap("noise"));
    await request(sim, "POST", cms, configMap("target"));
    expect(namesOf(await byField.next(1))).toEqual(["ADDED:target"]);
    expect(namesOf(await byPath.next(1))).toEqual(["ADDED:target"]);
  });

  it("sees writes made through the programmatic ObjectApi", async () => {
    sim = await startBare();
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    sim.api.create("", "v1", "configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "direct", namespace: "default" },
    });
    const obj = sim.api.get("", "v1", "configmaps", "default", "direct")!;
    obj.data = { x: "y" };
    sim.api.update("", "v1", "configmaps", obj);
    sim.api.delete("", "v1", "configmaps", "default", "direct");
    expect(namesOf(await watch.next(3))).toEqual(["ADDED:direct", "MODIFIED:direct", "DELETED:direct"]);
  });

  it("writes status through updateStatus, leaving the rest alone", async () => {
    sim = await startBare();
    const pods = "/api/v1/namespaces/default/pods";
    await request(sim, "POST", pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "i" }] },
    });
    const watch = await open(
      `${pods}?watch=1&resourceVersion=${sim.resourceVersion()}&fieldSelector=status.phase%3DRunning`,
    );
    const pod = sim.api.get("", "v1", "pods", "default", "p")!;
    sim.api.update("", "v1", "pods", { ...pod, status: { phase: "Running" } });
    expect(sim.api.get("", "v1", "pods", "default", "p")!.status).toEqual({
      phase: "Pending",
      qosClass: "BestEffort",
    });
    sim.api.updateStatus!("", "v1", "pods", {
      ...pod,
      spec: { containers: [] },
      status: { phase: "Running" },
    });
    const stored = sim.api.get("", "v1", "pods", "default", "p")!;
    expect(stored.status).toEqual({ phase: "Running" });
    expect((stored.spec as { containers: unknown[] }).containers).toHaveLength(1);
    expect(namesOf(await watch.next(1))).toEqual(["ADDED:p"]);
  });

  it("shows a namespace Terminating, then its contents deleted, then the namespace gone", async () => {
    sim = await startBare();
    await request(sim, "POST", "/api/v1/namespaces", { kind: "Namespace", metadata: { name: "going" } });
    await request(sim, "POST", "/api/v1/namespaces/going/configmaps", configMap("inside"));
    // The namespace's own root CA bundle follows a moment after it.
    while ((await get(sim, "/api/v1/namespaces/going/configmaps/kube-root-ca.crt")).status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const from = sim.resourceVersion();
    const namespaces = await open(`/api/v1/namespaces?watch=1&resourceVersion=${from}`);
    const contents = await open(`/api/v1/configmaps?watch=1&resourceVersion=${from}`);
    const deleted = await request(sim, "DELETE", "/api/v1/namespaces/going");
    expect((deleted.body.status as { phase: string }).phase).toBe("Terminating");
    const nsEvents = await namespaces.next(2);
    expect(namesOf(nsEvents)).toEqual(["MODIFIED:going", "DELETED:going"]);
    expect((nsEvents[0]!.object.status as { phase: string }).phase).toBe("Terminating");
    expect(nsEvents[0]!.object.metadata?.deletionTimestamp).toBeTruthy();
    const [gone, bundle] = await contents.next(2);
    expect(namesOf([gone!, bundle!])).toEqual(["DELETED:inside", "DELETED:kube-root-ca.crt"]);
    expect(Number(gone!.object.metadata?.resourceVersion)).toBeGreaterThan(
      Number(nsEvents[0]!.object.metadata?.resourceVersion),
    );
    expect(Number(gone!.object.metadata?.resourceVersion)).toBeLessThan(
      Number(nsEvents[1]!.object.metadata?.resourceVersion),
    );
  });

  it("close() ends open watch streams", async () => {
    sim = await startBare();
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    await sim.close();
    await watch.end(3000);
    expect(watch.ended).toBe(true);
  });

  it("serves watch events as Tables for kubectl", async () => {
    sim = await startBare();
    const watch = await open(`${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    await request(sim, "POST", cms, configMap("tabled", {}, { a: "1", b: "2" }));
    const [event] = await watch.next(1);
    expect(event!.type).toBe("ADDED");
    expect(event!.object.kind).toBe("Table");
    const rows = event!.object.rows as { cells: unknown[] }[];
    expect(rows[0]!.cells.slice(0, 2)).toEqual(["tabled", 2]);
  });
});
