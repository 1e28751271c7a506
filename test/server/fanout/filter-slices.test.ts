// A commit only hands changes to the groups; matching them against the filters happens after the
// turn, in slices, so a relist of thousands of objects cannot hold the event loop for the time every
// group's filter takes on every one of them.

import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { ChangeSubscription } from "../../../src/api/index.js";
import type { FilterView } from "../../../src/graph/index.js";
import { ResourceGraph } from "../../../src/graph/index.js";
import { Fanout, type FanoutCounters, type FrameSink } from "../../../src/server/fanout/index.js";
import { defaultServerLimits } from "../../../src/server/options.js";
import { cluster, pod, podType, silentLogger } from "../fixtures.js";

const counters: FanoutCounters = {
  executed() {},
  delivered() {},
  coalesced() {},
  resynced() {},
  evicted() {},
};

function recordingSink(frames: string[]): FrameSink {
  return {
    transport: "ws",
    buffered: () => 0,
    cork() {},
    uncork() {},
    nextPrefix: (idJson) => Buffer.from(`${idJson}:`),
    writeNext: (prefix, payload) => frames.push(`${prefix.toString()}${payload.toString()}`),
    evict() {},
  };
}

describe("subscription filters under a burst of commits", () => {
  it("are not evaluated while the changes commit, then deliver every match in order", async () => {
    const graph = new ResourceGraph();
    const fanout = new Fanout(defaultServerLimits, counters, silentLogger);
    const frames: string[] = [];
    const connection = fanout.open(recordingSink(frames), "anonymous");
    let evaluations = 0;
    const matches = (resource: FilterView): boolean => {
      evaluations++;
      return resource.name.endsWith("7");
    };
    const subscription = new ChangeSubscription(graph.log, { matches, capacity: 100_000 });
    const render = (root: unknown): Buffer => {
      const event = root as { sequence: string; resource: { name: string } | null };
      return Buffer.from(event.resource?.name ?? "RESYNC");
    };
    expect(fanout.subscribe(connection, "1", subscription, "doc", render)).toBeUndefined();

    const count = 20_000;
    for (let i = 0; i < count; i++) graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    expect(evaluations).toBe(0);

    // A timer set after the burst runs before the last change has been matched: the fan-out yields.
    const matchedWhenTimerRan = await new Promise<number>((resolve) =>
      setTimeout(() => resolve(evaluations), 0),
    );
    expect(matchedWhenTimerRan).toBeLessThan(count);

    await eventually(() => evaluations === count, 10_000, "every change to be matched");
    const expected = Array.from({ length: count }, (_, i) => `p${i}`).filter((name) => name.endsWith("7"));
    await eventually(() => frames.length === expected.length, 5000, "every match to be written");
    expect(frames).toEqual(expected.map((name) => `"1":${name}`));
    fanout.close();
  });
});
