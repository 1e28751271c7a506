import { describe, expect, it, vi } from "vitest";
import {
  SyncStatusFeed,
  SyncStatusSubscription,
  type TypeSyncChange,
} from "../../src/api/sync-status-feed.js";
import type { TypeSyncStatus } from "../../src/kube/index.js";
import { typeSyncStatus } from "../server/fixtures.js";

const status = typeSyncStatus;

/** A feed over statuses the test sets, on a clock the test moves; it never polls on its own. */
function feedOf(initial: TypeSyncStatus[]) {
  let statuses = initial;
  let clock = 0;
  const feed = new SyncStatusFeed(() => statuses, { pollMs: 3_600_000, now: () => clock });
  const seen: TypeSyncChange[] = [];
  const stop = feed.subscribe((change) => seen.push(change));
  return {
    feed,
    seen,
    stop,
    set(next: TypeSyncStatus[]) {
      statuses = next;
    },
    advance(ms: number) {
      clock += ms;
    },
  };
}

const summary = (changes: TypeSyncChange[]) =>
  changes.map(({ status: s }) => `${s.clusterId}/${s.typeName} ${s.phase} ${s.objectCount}`);

describe("sync status as a feed", () => {
  it("commits every type once when listening starts, then what a client acts on at once", () => {
    const t = feedOf([status({}), status({ typeName: "configmaps.v1." })]);
    expect(summary(t.seen)).toEqual(["c1/pods.v1. listing 0", "c1/configmaps.v1. listing 0"]);
    t.feed.poll();
    expect(t.seen).toHaveLength(2);
    t.set([
      status({ phase: "watching", hasSynced: true, objectCount: 5 }),
      status({ typeName: "configmaps.v1." }),
    ]);
    t.feed.poll();
    expect(summary(t.seen.slice(2))).toEqual(["c1/pods.v1. watching 5"]);
    for (const change of [
      { error: "boom" },
      { relistCount: 1 },
      { watchCount: 2 },
      { stallCount: 1 },
      { skippedCount: 3 },
      { forbidden: true },
    ]) {
      const before = t.seen.length;
      t.set([status({ phase: "watching", hasSynced: true, objectCount: 5, ...change })]);
      t.feed.poll();
      expect(t.seen.length, JSON.stringify(change)).toBe(before + 1);
    }
    t.stop();
  });

  it("commits a change of the object count alone at most once a second per type", () => {
    const t = feedOf([status({ phase: "watching", objectCount: 1 })]);
    t.set([status({ phase: "watching", objectCount: 2, resourceVersion: "9" })]);
    t.advance(400);
    t.feed.poll();
    t.set([status({ phase: "watching", objectCount: 3 })]);
    t.advance(400);
    t.feed.poll();
    expect(summary(t.seen)).toEqual(["c1/pods.v1. watching 1"]);
    t.advance(200);
    t.feed.poll();
    t.feed.poll();
    expect(summary(t.seen)).toEqual(["c1/pods.v1. watching 1", "c1/pods.v1. watching 3"]);
    // A phase change is not held back by the count's second.
    t.set([status({ phase: "backoff", objectCount: 4 })]);
    t.advance(10);
    t.feed.poll();
    expect(summary(t.seen).at(-1)).toBe("c1/pods.v1. backoff 4");
    t.stop();
  });

  it("catches a subscriber up with each type's latest status up to where it joined, in its clusters only", () => {
    const t = feedOf([status({}), status({ clusterId: "c2" })]);
    const subscription = new SyncStatusSubscription(t.feed, new Set(["c1"]), 100);
    const start = subscription.start();
    expect(start).toEqual({ kind: "resync", at: 2 });
    t.set([status({ phase: "watching" }), status({ clusterId: "c2", phase: "watching" })]);
    t.feed.poll();
    // Joined at 2: the later entries reach it as changes, not in its catch-up.
    expect(subscription.catchUp(2).map((s) => `${s.clusterId} ${s.phase}`)).toEqual([]);
    expect(subscription.catchUp(4).map((s) => `${s.clusterId} ${s.phase}`)).toEqual(["c1 watching"]);
    expect(t.seen.slice(2).map((change) => subscription.project(change)?.key)).toEqual([
      "c1|pods.v1.",
      undefined,
    ]);
    t.stop();
  });

  it("reads the engine every pollMs only while someone listens", () => {
    vi.useFakeTimers();
    try {
      let reads = 0;
      const feed = new SyncStatusFeed(
        () => {
          reads++;
          return [];
        },
        { pollMs: 100 },
      );
      const stop = feed.subscribe(() => {});
      expect(reads).toBe(1);
      vi.advanceTimersByTime(250);
      expect(reads).toBe(3);
      stop();
      vi.advanceTimersByTime(1000);
      expect(reads).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
