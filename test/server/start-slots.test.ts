import { countTurns } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { startSlot, startsPerTurn, startsWaiting } from "../../src/server/start-slots.js";

describe("operations started a few a turn", () => {
  it("starts at most startsPerTurn a turn, first come first served, and every one of a burst", async () => {
    const turns = countTurns();
    const started: { index: number; turn: number }[] = [];
    const burst = Array.from({ length: 30 }, (_, index) =>
      startSlot().then(() => {
        started.push({ index, turn: turns.now() });
      }),
    );
    expect(startsWaiting()).toBe(30 - startsPerTurn);
    await Promise.all(burst);
    turns.stop();
    expect(started.map((s) => s.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const perTurn = new Map<number, number>();
    for (const { turn } of started) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    for (const count of perTurn.values()) expect(count).toBeLessThanOrEqual(startsPerTurn);
    expect(perTurn.size).toBeGreaterThanOrEqual(Math.ceil(30 / startsPerTurn));
    expect(startsWaiting()).toBe(0);
  });

  it("starts one at once when nothing waits", async () => {
    await new Promise((resolve) => setImmediate(resolve));
    let started = false;
    const slot = startSlot().then(() => {
      started = true;
    });
    await Promise.resolve();
    expect(started).toBe(true);
    await slot;
  });
});
