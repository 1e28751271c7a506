import { describe, expect, it } from "vitest";
import { ChangeLog, changeRecordBytes, retainedBytesOf } from "../../src/graph/change-log.js";
import type { FilterView, StoredResource } from "../../src/graph/types.js";

const resource = (name: string, heapSize = 2, resourceVersion = "1"): StoredResource => ({
  key: `c/${name}`,
  clusterId: "c",
  uid: name,
  apiVersion: "v1",
  kind: "ConfigMap",
  typeName: "configmaps.v1.",
  namespace: "default",
  name,
  resourceVersion,
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

const view = (r: StoredResource): FilterView => ({
  clusterId: r.clusterId,
  uid: r.uid,
  annotations: r.annotations,
  ownerReferences: r.ownerReferences,
  apiVersion: r.apiVersion,
  kind: r.kind,
  namespace: r.namespace,
  name: r.name,
  labels: r.labels,
  fields: r.fields,
});

/** A clock the test sets by hand. */
function handClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    set: (time: number) => {
      now = time;
    },
  };
}

describe("ChangeLog", () => {
  it("numbers changes from 1 without gaps", () => {
    const log = new ChangeLog();
    expect(log.sequence).toBe(0);
    const seqs = ["a", "b", "c"].map((n) => log.append("ADDED", resource(n)).sequence);
    expect(seqs).toEqual([1, 2, 3]);
    expect(log.sequence).toBe(3);
  });

  it("returns the retained changes after a sequence, in order", () => {
    const log = new ChangeLog();
    for (const n of ["a", "b", "c", "d"]) log.append("ADDED", resource(n));
    expect(log.changesSince(1)?.map((c) => c.resource.name)).toEqual(["b", "c", "d"]);
    expect(log.changesSince(4)).toEqual([]);
    expect(log.changesSince(0)?.length).toBe(4);
  });

  it("refuses a sequence that has left the window or lies ahead of the log", () => {
    const log = new ChangeLog({ maxChanges: 3 });
    for (const n of ["a", "b", "c", "d", "e"]) log.append("ADDED", resource(n));
    expect(log.oldestRetained).toBe(3);
    expect(log.retainedChanges).toBe(3);
    expect(log.changesSince(1)).toBeUndefined();
    expect(log.changesSince(2)?.map((c) => c.sequence)).toEqual([3, 4, 5]);
    expect(log.changesSince(6)).toBeUndefined();
    expect(log.changesSince(-1)).toBeUndefined();
  });

  it("tells every listener, survives a throwing one, and stops after unsubscribe", () => {
    const log = new ChangeLog();
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
    const log = new ChangeLog({ epoch: "epoch1" });
    log.append("ADDED", resource("a"));
    expect(log.cursor()).toBe("epoch1:1");
    expect(log.parseCursor("epoch1:1")).toBe(1);
    expect(log.parseCursor("other:1")).toBeUndefined();
    expect(log.parseCursor("epoch1:x")).toBeUndefined();
    expect(log.parseCursor("garbage")).toBeUndefined();
  });
});

describe("ChangeLog's times", () => {
  it("stamps each change with the clock at append", () => {
    const clock = handClock(5_000);
    const log = new ChangeLog({ now: clock.now });
    clock.set(6_000);
    const first = log.append("ADDED", resource("a"));
    clock.set(7_500);
    const second = log.append("ADDED", resource("b"));
    expect([first.time, second.time]).toEqual([6_000, 7_500]);
    expect(log.startedAt).toBe(5_000);
  });

  it("never goes back in time when the clock steps back", () => {
    const clock = handClock(10_000);
    const log = new ChangeLog({ now: clock.now });
    log.append("ADDED", resource("a"));
    clock.set(4_000);
    const stepped = log.append("ADDED", resource("b"));
    expect(stepped.time).toBe(10_000);
    expect(log.now()).toBe(10_000);
    clock.set(12_000);
    expect(log.append("ADDED", resource("c")).time).toBe(12_000);
  });

  it("finds the first retained change at or after a time", () => {
    const clock = handClock(0);
    const log = new ChangeLog({ now: clock.now });
    for (const [i, time] of [10, 20, 20, 30, 40].entries()) {
      clock.set(time);
      log.append("ADDED", resource(`n${i}`));
    }
    expect(log.firstAtOrAfter(0)).toBe(1);
    expect(log.firstAtOrAfter(10)).toBe(1);
    expect(log.firstAtOrAfter(11)).toBe(2);
    expect(log.firstAtOrAfter(20)).toBe(2);
    expect(log.firstAtOrAfter(21)).toBe(4);
    expect(log.firstAtOrAfter(40)).toBe(5);
    expect(log.firstAtOrAfter(41)).toBe(6);
  });

  it("says whether the window still reaches back to a time", () => {
    const clock = handClock(100);
    const log = new ChangeLog({ now: clock.now, maxChanges: 2 });
    for (const time of [110, 120, 130]) {
      clock.set(time);
      log.append("ADDED", resource(`t${time}`));
    }
    // The change at 110 has left: 110 and anything before it are no longer covered; after it they are.
    expect(log.reachesBackTo(110)).toBe(false);
    expect(log.reachesBackTo(111)).toBe(true);
    expect(log.reachesBackTo(130)).toBe(true);
    // Before the log began, nothing is known.
    expect(new ChangeLog({ now: () => 500 }).reachesBackTo(499)).toBe(false);
  });
});

describe("ChangeLog's byte budget", () => {
  it("charges each change its record, and a MODIFIED the view of the state it replaced", () => {
    const log = new ChangeLog({ maxRetainedBytes: 1_000_000 });
    const first = resource("a", 4);
    const added = log.append("ADDED", first);
    expect(retainedBytesOf(added)).toBe(changeRecordBytes);
    const second = resource("a", 4, "2");
    const modified = log.append("MODIFIED", second, view(first), first);
    expect(retainedBytesOf(modified)).toBeGreaterThan(changeRecordBytes);
    // The superseded version is charged to the change that carries it.
    expect(log.retainedBytes).toBe(retainedBytesOf(added) + retainedBytesOf(modified) + 4);
  });

  it("bounds what it keeps alive, dropping its oldest changes first", () => {
    const budget = 4 * changeRecordBytes + 12;
    const log = new ChangeLog({ maxRetainedBytes: budget });
    const versions = [1, 2, 3, 4, 5].map((rv) => resource("a", 4, String(rv)));
    log.append("ADDED", versions[0]!);
    for (let i = 1; i < versions.length; i++)
      log.append("MODIFIED", versions[i]!, undefined, versions[i - 1]);
    // Five records and four superseded versions would be 5 × record + 16: the oldest had to go.
    expect(log.retainedBytes).toBeLessThanOrEqual(budget);
    expect(log.oldestRetained).toBe(2);
    expect(log.retainedBytes).toBe(4 * changeRecordBytes + 3 * 4);
    expect(log.changesSince(0)).toBeUndefined();
    expect(log.changesSince(1)?.map((c) => c.sequence)).toEqual([2, 3, 4, 5]);
  });

  it("charges a deleted object's last state to the DELETED change that carries it", () => {
    const log = new ChangeLog({ maxRetainedBytes: 100_000 });
    const stored = resource("a", 4);
    log.append("ADDED", stored);
    const lastKnown = resource("a", 5);
    log.append("DELETED", lastKnown, undefined, stored);
    expect(log.retainedBytes).toBe(2 * changeRecordBytes + 9);
    log.append("DELETED", resource("b", 3));
    expect(log.retainedBytes).toBe(3 * changeRecordBytes + 12);
  });

  it("stops counting a version once the change that carries it leaves the window", () => {
    const log = new ChangeLog({ maxChanges: 2 });
    const first = resource("a", 4);
    log.append("ADDED", first);
    log.append("MODIFIED", resource("a", 4, "2"), undefined, first);
    expect(log.retainedBytes).toBe(2 * changeRecordBytes + 4);
    log.append("ADDED", resource("b", 4));
    expect(log.oldestRetained).toBe(2);
    expect(log.retainedBytes).toBe(2 * changeRecordBytes);
  });

  it("reaches far back on a quiet log, and churn of large objects stays under the budget", () => {
    const budget = 4 * 1024 * 1024;
    const log = new ChangeLog({ maxRetainedBytes: budget });
    // Quiet: many objects added once each, none superseded: only their records are charged, so the
    // window holds far more than any fixed count of large changes would allow.
    const quiet = Math.floor(budget / changeRecordBytes) - 10;
    for (let i = 0; i < quiet; i++) log.append("ADDED", resource(`q${i}`, 50_000));
    expect(log.oldestRetained).toBe(1);
    expect(log.retainedChanges).toBe(quiet);
    expect(log.retainedBytes).toBeLessThanOrEqual(budget);
    // Churn: 100 objects of 50 KB each rewritten again and again; every change supersedes a version.
    const current = new Map<string, StoredResource>();
    let highest = 0;
    for (let round = 1; round <= 300; round++) {
      for (let i = 0; i < 100; i++) {
        const name = `big${i}`;
        const next = resource(name, 50_000, String(round));
        const prev = current.get(name);
        if (prev === undefined) log.append("ADDED", next);
        else log.append("MODIFIED", next, view(prev), prev);
        current.set(name, next);
        highest = Math.max(highest, log.retainedBytes);
      }
    }
    expect(highest).toBeLessThanOrEqual(budget);
    // Each object's newest change carries its current version and costs its record alone; besides
    // those hundred, about 80 superseded 50 KB versions fit. The window is short, and the newest.
    expect(log.retainedChanges).toBeGreaterThan(100);
    expect(log.retainedChanges).toBeLessThan(200);
    expect(log.changesSince(log.oldestRetained - 1)?.at(-1)?.sequence).toBe(log.sequence);
  });

  it("grows past any fixed ring, and lets its oldest changes go when large ones need the room", () => {
    const budget = 200_000 * changeRecordBytes;
    const log = new ChangeLog({ maxRetainedBytes: budget });
    for (let i = 0; i < 150_000; i++) log.append("ADDED", resource(`n${i}`));
    expect(log.retainedChanges).toBe(150_000);
    expect(log.changeAt(1)?.resource.name).toBe("n0");
    expect(log.changeAt(150_000)?.resource.name).toBe("n149999");
    // A burst of large deletions (four fit in the budget, five do not) pushes everything else out;
    // what is left is contiguous and readable.
    for (let i = 0; i < 5; i++) log.append("DELETED", resource(`gone${i}`, Math.ceil(budget / 4.5)));
    expect(log.retainedBytes).toBeLessThanOrEqual(budget);
    expect(log.retainedChanges).toBe(4);
    expect(log.changeAt(log.oldestRetained)?.sequence).toBe(log.oldestRetained);
    expect(log.changeAt(log.oldestRetained - 1)).toBeUndefined();
  });
});

describe("ChangeLog's history of one object", () => {
  it("walks one object's changes newest first, through nothing else", () => {
    const log = new ChangeLog();
    const a1 = resource("a", 2, "1");
    log.append("ADDED", a1);
    log.append("ADDED", resource("b"));
    const a2 = resource("a", 2, "2");
    log.append("MODIFIED", a2, view(a1), a1);
    log.append("ADDED", resource("c"));
    const a3 = resource("a", 2, "3");
    log.append("MODIFIED", a3, view(a2), a2);
    expect(log.historyOf(a3, 10).map((c) => [c.sequence, c.type])).toEqual([
      [5, "MODIFIED"],
      [3, "MODIFIED"],
      [1, "ADDED"],
    ]);
    expect(log.historyOf(a3, 2).map((c) => c.sequence)).toEqual([5, 3]);
  });

  it("starts a deleted object's history at its DELETED change", () => {
    const log = new ChangeLog();
    const stored = resource("a", 2, "1");
    log.append("ADDED", stored);
    const lastKnown = resource("a", 2, "2");
    log.append("DELETED", lastKnown, undefined, stored);
    expect(log.historyOf(lastKnown, 10).map((c) => c.type)).toEqual(["DELETED", "ADDED"]);
  });

  it("ends at the window's edge", () => {
    const log = new ChangeLog({ maxChanges: 3 });
    let prev = resource("a", 2, "1");
    log.append("ADDED", prev);
    for (let rv = 2; rv <= 5; rv++) {
      const next = resource("a", 2, String(rv));
      log.append("MODIFIED", next, view(prev), prev);
      prev = next;
    }
    expect(log.historyOf(prev, 10).map((c) => c.sequence)).toEqual([5, 4, 3]);
    expect(log.historyOf(resource("never"), 10)).toEqual([]);
  });
});

describe("ChangeLog.rebase", () => {
  it("takes the stream's epoch and sequence, forgets the window and continues from there", () => {
    const log = new ChangeLog({ epoch: "local" });
    for (const n of ["a", "b"]) log.append("ADDED", resource(n));
    const oldCursor = log.cursor();
    log.rebase("MESHSYNC_c-1a2b", 41);
    expect(log.sequence).toBe(41);
    expect(log.retainedChanges).toBe(0);
    expect(log.parseCursor(oldCursor)).toBeUndefined();
    expect(log.append("ADDED", resource("c")).sequence).toBe(42);
    expect(log.cursor()).toBe("MESHSYNC_c-1a2b:42");
    expect(log.changesSince(41)?.map((change) => change.resource.name)).toEqual(["c"]);
    // What happened before the rebase is not in this log: a resume from before it must resync.
    expect(log.changesSince(40)).toBeUndefined();
  });

  it("is refused while anyone listens, and for an epoch a cursor could not carry", () => {
    const log = new ChangeLog();
    expect(() => log.rebase("a:b", 1)).toThrow(RangeError);
    expect(() => log.rebase("a", -1)).toThrow(RangeError);
    const unsubscribe = log.subscribe(() => {});
    expect(() => log.rebase("a", 1)).toThrow(/listeners/);
    unsubscribe();
    expect(() => log.rebase("a", 1)).not.toThrow();
  });
});
