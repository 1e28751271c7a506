import { describe, expect, it } from "vitest";
import { maxScannedChanges, readChanges } from "../../src/api/change-window.js";
import { ResourceGraph } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import { resourceType } from "../graph/resource-types.js";

const cluster: ClusterRef = { id: "c", name: "c" };
const configMaps = resourceType("configmaps", "ConfigMap");

function configMap(name: string, rv: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv, labels },
  };
}

const everything = () => true;

describe("reading the change window as a list", () => {
  it("starts at the oldest retained change, oldest first, complete while nothing has left", async () => {
    const graph = new ResourceGraph();
    for (const name of ["a", "b", "c"]) graph.upsert(cluster, configMaps, configMap(name, "1"));
    const list = await readChanges(graph.log, { start: {}, first: 10, matches: everything });
    expect(list.changes.map((c) => [c.sequence, c.type, c.resource?.name])).toEqual([
      [graph.log.cursor(1), "ADDED", "a"],
      [graph.log.cursor(2), "ADDED", "b"],
      [graph.log.cursor(3), "ADDED", "c"],
    ]);
    expect(list).toMatchObject({ next: graph.log.cursor(3), complete: true, hasMore: false });
  });

  it("pages with first and next, and continues from a cursor without gap or duplicate", async () => {
    const graph = new ResourceGraph();
    for (let i = 0; i < 7; i++) graph.upsert(cluster, configMaps, configMap(`n${i}`, "1"));
    const seen: string[] = [];
    let since = graph.log.cursor(0);
    for (;;) {
      const list = await readChanges(graph.log, { start: { since }, first: 3, matches: everything });
      expect(list.complete).toBe(true);
      seen.push(...list.changes.map((c) => c.resource?.name ?? ""));
      since = list.next;
      if (!list.hasMore) break;
    }
    expect(seen).toEqual(["n0", "n1", "n2", "n3", "n4", "n5", "n6"]);
    expect(since).toBe(graph.log.cursor(7));
  });

  it("is incomplete when since is older than the window, or foreign, and reads from the oldest retained", async () => {
    const graph = new ResourceGraph({ retainedChanges: 3 });
    for (let i = 0; i < 6; i++) graph.upsert(cluster, configMaps, configMap(`n${i}`, "1"));
    for (const since of [graph.log.cursor(1), "0123456789ab:2", "not a cursor"]) {
      const list = await readChanges(graph.log, { start: { since }, first: 10, matches: everything });
      expect(list.complete).toBe(false);
      expect(list.changes.map((c) => c.resource?.name)).toEqual(["n3", "n4", "n5"]);
    }
    // Just inside the window, it is whole again.
    const inside = await readChanges(graph.log, {
      start: { since: graph.log.cursor(3) },
      first: 10,
      matches: everything,
    });
    expect(inside.complete).toBe(true);
    expect(inside.changes.map((c) => c.resource?.name)).toEqual(["n3", "n4", "n5"]);
    const all = await readChanges(graph.log, { start: {}, first: 10, matches: everything });
    expect(all.complete).toBe(false);
  });

  it("starts at the first change at or after sinceTime, and says when the window no longer reaches it", async () => {
    let now = 1_000;
    const graph = new ResourceGraph({ retainedChanges: 4, now: () => now });
    for (const [i, time] of [1_100, 1_200, 1_300, 1_400, 1_500].entries()) {
      now = time;
      graph.upsert(cluster, configMaps, configMap(`n${i}`, "1"));
    }
    const read = (sinceTime: number) =>
      readChanges(graph.log, { start: { sinceTime }, first: 10, matches: everything });
    const later = await read(1_250);
    expect(later.changes.map((c) => [c.resource?.name, c.time])).toEqual([
      ["n2", 1_300],
      ["n3", 1_400],
      ["n4", 1_500],
    ]);
    expect(later.complete).toBe(true);
    // The change at 1,100 has left the window: a time at or before it is not wholly covered.
    expect((await read(1_100)).complete).toBe(false);
    expect((await read(1_101)).complete).toBe(true);
    const future = await read(2_000);
    expect(future).toMatchObject({ changes: [], next: graph.log.cursor(5), complete: true, hasMore: false });
  });

  it("applies the filter as a subscription does: into it is ADDED, out of it DELETED", async () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, configMaps, configMap("moving", "1", { app: "other" }));
    graph.upsert(cluster, configMaps, configMap("moving", "2", { app: "web" }));
    graph.upsert(cluster, configMaps, configMap("moving", "3", { app: "web", touched: "yes" }));
    graph.upsert(cluster, configMaps, configMap("moving", "4", { app: "other" }));
    graph.upsert(cluster, configMaps, configMap("outside", "1", { app: "other" }));
    const matches = graph.matcher({ labelSelector: "app=web" });
    const list = await readChanges(graph.log, { start: {}, first: 10, matches });
    expect(list.changes.map((c) => [c.type, c.resource?.resourceVersion])).toEqual([
      ["ADDED", "2"],
      ["MODIFIED", "3"],
      ["DELETED", "4"],
    ]);
    // The changes that did not match were still read past: next is at the end of the log.
    expect(list.next).toBe(graph.log.cursor(5));
  });

  it("looks at a bounded number of changes per read, and says there is more", async () => {
    const graph = new ResourceGraph();
    const total = maxScannedChanges + 10;
    for (let i = 0; i < total; i++) graph.upsert(cluster, configMaps, configMap(`n${i}`, "1"));
    const none = () => false;
    const first = await readChanges(graph.log, { start: {}, first: 10, matches: none });
    expect(first).toMatchObject({ changes: [], next: graph.log.cursor(maxScannedChanges), hasMore: true });
    const rest = await readChanges(graph.log, { start: { since: first.next }, first: 10, matches: none });
    expect(rest).toMatchObject({ changes: [], next: graph.log.cursor(total), hasMore: false });
  });

  it("ends a read early, without a gap, when changes leave the window while it waits its turn", async () => {
    const graph = new ResourceGraph({ retainedChanges: 2_000 });
    for (let i = 0; i < 2_000; i++) graph.upsert(cluster, configMaps, configMap(`n${i}`, "1"));
    // A filter slow enough that each piece of the read fills a turn's slice, so the read waits for
    // later turns, and churn gets in between.
    const slow = () => {
      const until = performance.now() + 0.02;
      while (performance.now() < until);
      return false;
    };
    const reading = readChanges(graph.log, { start: {}, first: 1_000, matches: slow });
    setImmediate(() => {
      for (let i = 0; i < 2_000; i++) graph.upsert(cluster, configMaps, configMap(`m${i}`, "1"));
    });
    const list = await reading;
    const read = graph.log.parseCursor(list.next) ?? -1;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(2_000);
    expect(list.hasMore).toBe(true);
    const after = await readChanges(graph.log, {
      start: { since: list.next },
      first: 10,
      matches: everything,
    });
    expect(after.complete).toBe(false);
  });
});
