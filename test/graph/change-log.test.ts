import { describe, expect, it } from "vitest";
import { ChangeLog } from "../../src/graph/change-log.js";
import type { StoredResource } from "../../src/graph/types.js";

const resource = (name: string, heapSize = 2): StoredResource => ({
  key: `c/${name}`,
  clusterId: "c",
  uid: name,
  apiVersion: "v1",
  kind: "ConfigMap",
  typeName: "configmaps.v1.",
  namespace: "default",
  name,
  resourceVersion: "1",
  labels: {},
  annotations: {},
  ownerReferences: [],
  fields: {},
  object: {},
  objectText: "{}",
  textLength: 2,
  heapSize,
  createdAtMs: undefined,
  storedAtMs: 0,
});

describe("ChangeLog", () => {
  it("numbers changes from 1 without gaps", () => {
    const log = new ChangeLog(10);
    expect(log.sequence).toBe(0);
    const seqs = ["a", "b", "c"].map((n) => log.append("ADDED", resource(n)).sequence);
    expect(seqs).toEqual([1, 2, 3]);
    expect(log.sequence).toBe(3);
  });

  it("returns the retained changes after a sequence, in order", () => {
    const log = new ChangeLog(10);
    for (const n of ["a", "b", "c", "d"]) log.append("ADDED", resource(n));
    expect(log.changesSince(1)?.map((c) => c.resource.name)).toEqual(["b", "c", "d"]);
    expect(log.changesSince(4)).toEqual([]);
    expect(log.changesSince(0)?.length).toBe(4);
  });

  it("refuses a sequence that has left the ring or lies ahead of the log", () => {
    const log = new ChangeLog(3);
    for (const n of ["a", "b", "c", "d", "e"]) log.append("ADDED", resource(n));
    expect(log.oldestRetained).toBe(3);
    expect(log.changesSince(1)).toBeUndefined();
    expect(log.changesSince(2)?.map((c) => c.sequence)).toEqual([3, 4, 5]);
    expect(log.changesSince(6)).toBeUndefined();
    expect(log.changesSince(-1)).toBeUndefined();
  });

  it("tells every listener, survives a throwing one, and stops after unsubscribe", () => {
    const log = new ChangeLog(10);
    const seen: number[] = [];
    log.subscribe(() => {
      throw new Error("listener bug");
    });
    const stop = log.subscribe((c) => seen.push(c.sequence));
    log.append("ADDED", resource("a"));
    stop();
    log.append("ADDED", resource("b"));
    expect(seen).toEqual([1]);
    expect(log.listenerCount).toBe(1);
  });

  it("issues cursors that only this log's epoch accepts", () => {
    const log = new ChangeLog(10, "epoch1");
    log.append("ADDED", resource("a"));
    expect(log.cursor()).toBe("epoch1:1");
    expect(log.parseCursor("epoch1:1")).toBe(1);
    expect(log.parseCursor("other:1")).toBeUndefined();
    expect(log.parseCursor("epoch1:x")).toBeUndefined();
    expect(log.parseCursor("garbage")).toBeUndefined();
  });

  it("bounds the bytes of the versions only it keeps alive, dropping its oldest changes first", () => {
    const log = new ChangeLog(100, "e", 10);
    const versions = [1, 2, 3, 4].map(() => resource("a", 4));
    log.append("ADDED", versions[0]!);
    expect(log.retainedBytes).toBe(0);
    log.append("MODIFIED", versions[1]!, undefined, versions[0]);
    log.append("MODIFIED", versions[2]!, undefined, versions[1]);
    expect(log.retainedBytes).toBe(8);
    expect(log.oldestRetained).toBe(1);
    log.append("MODIFIED", versions[3]!, undefined, versions[2]);
    expect(log.retainedBytes).toBe(8);
    expect(log.oldestRetained).toBe(2);
    expect(log.changesSince(0)).toBeUndefined();
    expect(log.changesSince(1)?.map((c) => c.sequence)).toEqual([2, 3, 4]);
  });

  it("charges nothing for changes whose object is still current, however many", () => {
    const log = new ChangeLog(100_000, "e", 10);
    for (let i = 0; i < 10_000; i++) log.append("ADDED", resource(`n${i}`, 1000));
    expect(log.retainedBytes).toBe(0);
    expect(log.oldestRetained).toBe(1);
  });

  it("charges a deleted object's last state to the DELETED change that carries it", () => {
    const log = new ChangeLog(100, "e", 1000);
    const stored = resource("a", 4);
    log.append("ADDED", stored);
    const lastKnown = resource("a", 5);
    log.append("DELETED", lastKnown, undefined, stored);
    expect(log.retainedBytes).toBe(9);
    log.append("DELETED", resource("b", 3));
    expect(log.retainedBytes).toBe(12);
  });

  it("stops counting a version once the change that carries it leaves the ring", () => {
    const log = new ChangeLog(2, "e", 1000);
    const first = resource("a", 4);
    log.append("ADDED", first);
    log.append("MODIFIED", resource("a", 4), undefined, first);
    expect(log.retainedBytes).toBe(4);
    log.append("ADDED", resource("b", 4));
    expect(log.oldestRetained).toBe(2);
    expect(log.retainedBytes).toBe(0);
  });
});
