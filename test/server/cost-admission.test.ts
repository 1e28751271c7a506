import { afterEach, describe, expect, it, vi } from "vitest";
import { AdmissionRefused, CostAdmission } from "../../src/server/cost-admission.js";

const limits = { maxConcurrentCost: 100, maxQueuedOperations: 2, maxQueueWaitMs: 1000 };

/** Whether a promise has settled, after the microtasks already queued have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("CostAdmission", () => {
  it("runs what fits at once and counts it until it is given back", async () => {
    const admission = new CostAdmission(limits);
    const first = await admission.admit(60);
    const second = await admission.admit(40);
    expect(admission.runningCost).toBe(100);
    first();
    first();
    expect(admission.runningCost).toBe(40);
    second();
    expect(admission.runningCost).toBe(0);
  });

  it("makes what does not fit wait, first come first served, until there is room", async () => {
    const admission = new CostAdmission(limits);
    const running = await admission.admit(90);
    const order: string[] = [];
    const a = admission.admit(50).then((release) => {
      order.push("a");
      return release;
    });
    const b = admission.admit(50).then((release) => {
      order.push("b");
      return release;
    });
    expect(await settled(a)).toBe(false);
    expect(admission.queued).toBe(2);
    running();
    const [releaseA, releaseB] = await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
    expect(admission.runningCost).toBe(100);
    releaseA();
    releaseB();
  });

  it("lets a cheap operation run while a costly one waits", async () => {
    const admission = new CostAdmission(limits);
    const running = await admission.admit(80);
    const costly = admission.admit(50);
    const cheap = admission.admit(5);
    expect(await settled(cheap)).toBe(true);
    expect(await settled(costly)).toBe(false);
    (await cheap)();
    running();
    (await costly)();
  });

  it("admits an operation above the whole allowance alone", async () => {
    const admission = new CostAdmission(limits);
    const huge = await admission.admit(500);
    expect(admission.runningCost).toBe(100);
    const next = admission.admit(1);
    expect(await settled(next)).toBe(false);
    huge();
    (await next)();
  });

  it("refuses at once past the queue's length, saying why", async () => {
    const admission = new CostAdmission(limits);
    const running = await admission.admit(100);
    const waiting = [admission.admit(10), admission.admit(10)];
    await expect(admission.admit(10)).rejects.toThrow(AdmissionRefused);
    await expect(admission.admit(10)).rejects.toThrow(
      "the server is running operations that cost 100 together, and 2 more wait; try again later",
    );
    running();
    for (const release of await Promise.all(waiting)) release();
  });

  it("refuses an operation whose wait ran out, and forgets it", async () => {
    vi.useFakeTimers();
    const admission = new CostAdmission(limits);
    const running = await admission.admit(100);
    const waiting = admission.admit(10);
    const verdict = expect(waiting).rejects.toThrow(
      "the server was busy with other operations for 1000 ms; try again later",
    );
    await vi.advanceTimersByTimeAsync(1000);
    await verdict;
    expect(admission.queued).toBe(0);
    running();
    expect(admission.runningCost).toBe(0);
  });
});
