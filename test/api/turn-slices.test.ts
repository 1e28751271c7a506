import { countTurns } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { acrossTurns, inTurnSlices } from "../../src/api/turn-slices.js";

/** Holds the event loop for `ms`, as a costly resolver would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("inTurnSlices", () => {
  it("runs work at once while the turn's slice has room", async () => {
    await nextTurn();
    expect(inTurnSlices(() => 1)).toBe(1);
    expect(inTurnSlices(() => 2)).toBe(2);
  });

  it("leaves work past the slice to later turns, in the order it came, and lets others run between", async () => {
    await nextTurn();
    const order: string[] = [];
    const results: (number | Promise<number>)[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(
        inTurnSlices(() => {
          busy(3);
          order.push(`work ${i}`);
          return i;
        }),
      );
    }
    setImmediate(() => order.push("another client"));
    expect(results.filter((r) => r instanceof Promise).length).toBeGreaterThan(0);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(order.filter((o) => o.startsWith("work"))).toEqual([
      "work 0",
      "work 1",
      "work 2",
      "work 3",
      "work 4",
      "work 5",
    ]);
    // Another client's turn came before the last of the work.
    expect(order.indexOf("another client")).toBeLessThan(order.indexOf("work 5"));
  });

  it("hands a long list out a hundred items a turn, in order, with other turns between", async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const order: string[] = [];
    const list = acrossTurns(items);
    setImmediate(() => order.push("another client"));
    const settled = list.map((item) => Promise.resolve(item).then((value) => order.push(`item ${value}`)));
    expect(list.slice(0, 100).every((item) => typeof item === "number")).toBe(true);
    expect(list.slice(100).every((item) => item instanceof Promise)).toBe(true);
    await Promise.all(settled);
    expect(await Promise.all(list)).toEqual(items);
    const between = order.indexOf("another client");
    expect(between).toBeGreaterThan(order.indexOf("item 99"));
    expect(between).toBeLessThan(order.indexOf("item 100"));
    expect(acrossTurns([1, 2, 3])).toEqual([1, 2, 3]);
  });

  it("shares each later turn's hundred among all the long lists under way", async () => {
    const turns = countTurns();
    const released: number[] = [];
    const lists = [0, 1, 2].map(() => acrossTurns(Array.from({ length: 300 }, (_, i) => i)));
    await Promise.all(
      lists.flatMap((list) =>
        list.slice(100).map((item) => Promise.resolve(item).then(() => released.push(turns.now()))),
      ),
    );
    turns.stop();
    expect(released).toHaveLength(600);
    const perTurn = new Map<number, number>();
    for (const at of released) perTurn.set(at, (perTurn.get(at) ?? 0) + 1);
    for (const count of perTurn.values()) expect(count).toBeLessThanOrEqual(100);
    expect(perTurn.size).toBeGreaterThanOrEqual(6);
  });
});
