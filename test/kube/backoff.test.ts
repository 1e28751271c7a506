import { describe, expect, it, vi } from "vitest";
import { Backoff } from "../../src/kube/backoff.js";
import { KubeApiError, kubeErrorFromStatus, retryAfterMs } from "../../src/kube/errors.js";
import { silentLogger } from "../../src/kube/logger.js";
import { Reflector } from "../../src/kube/reflector.js";
import { MAX_TIMER_MS, realSleep, timerMs } from "../../src/kube/sleep.js";
import { cluster, configMaps, FakeListerWatcher, RecordingSink, recordingSleep } from "./fakes.js";

const FIVE_MINUTES = 5 * 60_000;

describe("Retry-After and long waits", () => {
  it("caps a huge Retry-After instead of letting it overflow the timer", () => {
    const backoff = new Backoff({ initialMs: 100, random: () => 0 });
    expect(backoff.next(3_000_000 * 1000)).toBe(FIVE_MINUTES);
    expect(backoff.next(7_000)).toBe(7_000);
  });

  it("caps a Retry-After given as an HTTP date years ahead", () => {
    const error = kubeErrorFromStatus({}, 429, new Date(Date.now() + 10 * 365 * 86_400_000).toUTCString());
    const backoff = new Backoff({ initialMs: 100, random: () => 0 });
    expect(backoff.next(retryAfterMs(error))).toBe(FIVE_MINUTES);
  });

  it("a reflector told to wait 35 days waits the cap, once", async () => {
    const lw = new FakeListerWatcher(new KubeApiError(429, "slow down", "TooManyRequests", 3_000_000));
    const slept = recordingSleep();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reflector = new Reflector({
      cluster,
      type: configMaps,
      listerWatcher: lw,
      sink: new RecordingSink(),
      logger: silentLogger,
      random: () => 0,
      sleep: async (ms, signal) => {
        await slept.sleep(ms);
        if (!signal.aborted) await gate;
      },
    });
    reflector.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slept.delays).toEqual([FIVE_MINUTES]);
    expect(lw.listCalls).toHaveLength(1);
    release();
    await reflector.stop();
  });

  it("keeps every timer within what setTimeout can hold", () => {
    expect(timerMs(2 ** 40)).toBe(MAX_TIMER_MS);
    expect(timerMs(-5)).toBe(0);
    expect(timerMs(Number.NaN)).toBe(0);
    expect(timerMs(1500)).toBe(1500);
  });

  it("a sleep longer than setTimeout's limit does not end after 1 ms", async () => {
    // Fake timers: an hour of timer time passes on purpose, so "not ended yet" cannot pass by luck.
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      let ended = false;
      const sleeping = realSleep(2 ** 32, controller.signal).then(() => {
        ended = true;
      });
      await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
      expect(ended).toBe(false);
      controller.abort();
      await sleeping;
      expect(ended).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
