import { afterEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/kube/logger.js";
import { Reflector } from "../../src/kube/reflector.js";
import { cluster, configMap, configMaps, FakeListerWatcher, RecordingSink, recordingSleep } from "./fakes.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("Reflector stall watchdog", () => {
  it("does not count a later watch's clean end as a stall when a relist won over the stall", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let n = 0;
    const lw = new FakeListerWatcher(() => {
      n += 1;
      return { items: [], resourceVersion: String(n * 10) };
    });
    const reflector = new Reflector({
      cluster,
      type: configMaps,
      listerWatcher: lw,
      sink: new RecordingSink(),
      logger: silentLogger,
      sleep: recordingSleep().sleep,
      random: () => 0,
      stallTimeoutMs: 1_000,
    });
    reflector.start();
    await lw.nextWatch();
    // The watchdog fires and, before the loop sees it, a resync asks for a relist.
    vi.advanceTimersByTime(1_001);
    reflector.relist();
    const afterRelist = await lw.nextWatch();
    expect(afterRelist.options.resourceVersion).toBe("20");
    afterRelist.push({ type: "ADDED", object: configMap("a", "uid-a", "21") });
    afterRelist.end();
    const next = await lw.nextWatch();
    expect(next.options.resourceVersion).toBe("21");
    expect(reflector.status().stallCount).toBe(0);
    await reflector.stop();
  });
});
