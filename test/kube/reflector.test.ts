import { afterEach, describe, expect, it } from "vitest";
import { Backoff } from "../../src/kube/backoff.js";
import { KubeApiError } from "../../src/kube/errors.js";
import type { ListOptions, ListPage } from "../../src/kube/list-watch.js";
import { silentLogger } from "../../src/kube/logger.js";
import { Reflector, type ReflectorOptions } from "../../src/kube/reflector.js";
import {
  cluster,
  configMap,
  configMaps,
  FakeListerWatcher,
  listedCalls,
  RecordingSink,
  recordingSleep,
  waitFor,
} from "./fakes.js";

const running: Reflector[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((reflector) => reflector.stop()));
});

function startReflector(lw: FakeListerWatcher, sink: RecordingSink, options: Partial<ReflectorOptions> = {}) {
  const slept = recordingSleep();
  const reflector = new Reflector({
    cluster,
    type: configMaps,
    listerWatcher: lw,
    sink,
    logger: silentLogger,
    sleep: slept.sleep,
    random: () => 0,
    ...options,
  });
  running.push(reflector);
  reflector.start();
  return { reflector, delays: slept.delays };
}

describe("Reflector", () => {
  it("lists page by page, hands each page over as it comes, then watches from the list's resourceVersion", async () => {
    const a = configMap("a", "uid-a", "5");
    const b = configMap("b", "uid-b", "6");
    const c = configMap("c", "uid-c", "7");
    const lw = new FakeListerWatcher((options) => {
      if (!options.continue) return { items: [a, b], resourceVersion: "9", continue: "page2" };
      return { items: [c], resourceVersion: "10" };
    });
    const sink = new RecordingSink();
    const { reflector } = startReflector(lw, sink, { pageSize: 2 });

    const watch = await lw.nextWatch();
    await reflector.synced;
    expect(lw.listCalls.map((call) => [call.limit, call.continue])).toEqual([
      [2, undefined],
      [2, "page2"],
    ]);
    expect(sink.calls).toEqual(listedCalls(["uid-a", "5"], ["uid-b", "6"], ["uid-c", "7"]));
    expect(watch.options.resourceVersion).toBe("10");
    expect(reflector.status()).toMatchObject({
      phase: "watching",
      objectCount: 3,
      hasSynced: true,
      relistCount: 0,
    });
  });

  it("lists afresh, page by page, when a continue token expires", async () => {
    const a = configMap("a", "uid-a", "5");
    let firstPages = 0;
    const lw = new FakeListerWatcher((options) => {
      if (options.continue === "page2") return new KubeApiError(410, "continue expired", "Expired");
      if (options.continue === "again")
        return { items: [configMap("b", "uid-b", "11")], resourceVersion: "12" };
      firstPages += 1;
      return {
        items: [a],
        resourceVersion: firstPages === 1 ? "9" : "12",
        continue: firstPages === 1 ? "page2" : "again",
      };
    });
    const sink = new RecordingSink();
    startReflector(lw, sink, { pageSize: 1 });

    const watch = await lw.nextWatch();
    expect(lw.listCalls.map((call) => [call.limit, call.continue])).toEqual([
      [1, undefined],
      [1, "page2"],
      [1, undefined],
      [1, "again"],
    ]);
    // The expired pass's page was handed over too; only the pass that completed says what is held.
    expect(sink.calls).toEqual([
      { op: "upsert", uid: "uid-a", rv: "5" },
      ...listedCalls(["uid-a", "5"], ["uid-b", "11"]),
    ]);
    expect(watch.options.resourceVersion).toBe("12");
  });

  it("asks for watch timeouts between the minimum and twice it", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "1" });
    startReflector(lw, new RecordingSink(), { random: () => 0.5, minWatchTimeoutSeconds: 300 });
    const watch = await lw.nextWatch();
    expect(watch.options.timeoutSeconds).toBe(450);
  });

  it("passes on watch events and advances the resourceVersion with each event and bookmark", async () => {
    const lw = new FakeListerWatcher({ items: [configMap("a", "uid-a", "5")], resourceVersion: "5" });
    const sink = new RecordingSink();
    const { reflector } = startReflector(lw, sink);

    const first = await lw.nextWatch();
    first.push({ type: "ADDED", object: configMap("b", "uid-b", "6") });
    first.push({ type: "MODIFIED", object: configMap("a", "uid-a", "7", { k: "v" }) });
    first.push({ type: "DELETED", object: configMap("b", "uid-b", "8") });
    first.push({ type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: "20" } } });
    first.end();

    const second = await lw.nextWatch();
    expect(second.options.resourceVersion).toBe("20");
    // After the list's own two calls (its upsert, its retain).
    expect(sink.calls.slice(2)).toEqual([
      { op: "upsert", uid: "uid-b", rv: "6" },
      { op: "upsert", uid: "uid-a", rv: "7" },
      { op: "delete", uid: "uid-b" },
    ]);
    expect(lw.listCalls).toHaveLength(1);
    await waitFor(() => reflector.status().watchCount === 2, "the second watch to count");
    expect(reflector.status()).toMatchObject({ objectCount: 1, resourceVersion: "20" });
    expect(reflector.status().lastEventTime).toBeTypeOf("string");
  });

  it("relists on an ERROR 410 event and the replace drops objects that vanished meanwhile", async () => {
    const lw = new FakeListerWatcher(
      { items: [configMap("a", "uid-a", "5"), configMap("b", "uid-b", "6")], resourceVersion: "6" },
      { items: [configMap("a", "uid-a", "30"), configMap("c", "uid-c", "31")], resourceVersion: "31" },
    );
    const sink = new RecordingSink();
    const { reflector, delays } = startReflector(lw, sink);

    const first = await lw.nextWatch();
    first.push({ type: "MODIFIED", object: configMap("a", "uid-a", "7") });
    first.push({
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "Expired",
        code: 410,
        message: "too old",
      },
    });
    const second = await lw.nextWatch();
    expect(first.closed).toBe(true);
    expect(second.options.resourceVersion).toBe("31");
    expect([...sink.state.keys()].sort()).toEqual(["uid-a", "uid-c"]);
    expect(sink.state.get("uid-a")?.metadata?.resourceVersion).toBe("30");
    expect(reflector.status()).toMatchObject({ relistCount: 1, objectCount: 2 });
    expect(delays).toEqual([]);
  });

  it("relists when opening the watch answers 410", async () => {
    const lw = new FakeListerWatcher(
      { items: [], resourceVersion: "3" },
      { items: [], resourceVersion: "40" },
    );
    lw.watchErrors.push(new KubeApiError(410, "Expired: too old resource version", "Expired"));
    const sink = new RecordingSink();
    const { reflector } = startReflector(lw, sink);

    const watch = await lw.nextWatch();
    expect(watch.options.resourceVersion).toBe("40");
    expect(lw.listCalls).toHaveLength(2);
    expect(reflector.relistCount).toBe(1);
  });

  it("backs off when the watch answers 410 again straight after a fresh list", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "3" });
    for (let i = 0; i < 3; i++) lw.watchErrors.push(new KubeApiError(410, "Expired", "Expired"));
    const { delays } = startReflector(lw, new RecordingSink(), {
      backoff: new Backoff({ initialMs: 100, random: () => 0 }),
    });
    await lw.nextWatch();
    expect(lw.listCalls).toHaveLength(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it("retries a busy server with exponential backoff up to the cap, re-watching without a relist", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "3" });
    for (let i = 0; i < 8; i++)
      lw.watchErrors.push(new KubeApiError(429, "too many requests", "TooManyRequests"));
    const sink = new RecordingSink();
    const { reflector, delays } = startReflector(lw, sink, {
      backoff: new Backoff({ initialMs: 800, maxMs: 30_000, random: () => 0 }),
    });

    const watch = await lw.nextWatch();
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    expect(watch.options.resourceVersion).toBe("3");
    expect(lw.listCalls).toHaveLength(1);
    await waitFor(() => reflector.status().phase === "watching", "the watch to open");
    expect(reflector.status().error).toBeUndefined();
  });

  it("retries a failing list until it works and only then reports synced", async () => {
    const lw = new FakeListerWatcher(
      new KubeApiError(503, "unavailable"),
      new KubeApiError(503, "unavailable"),
      { items: [configMap("a", "uid-a", "1")], resourceVersion: "1" },
    );
    const sink = new RecordingSink();
    const { reflector, delays } = startReflector(lw, sink);
    await lw.nextWatch();
    await reflector.synced;
    expect(delays).toHaveLength(2);
    expect(sink.calls).toEqual(listedCalls(["uid-a", "1"]));
  });

  it("settles without syncing while the server refuses the list (403), and syncs once it allows it", async () => {
    const lw = new FakeListerWatcher(
      new KubeApiError(403, 'configmaps is forbidden: User "meshsync" cannot list resource "configmaps"'),
      { items: [configMap("a", "uid-a", "1")], resourceVersion: "1" },
    );
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sink = new RecordingSink();
    const { reflector } = startReflector(lw, sink, { sleep: () => gate });
    await reflector.settled;
    expect(reflector.status()).toMatchObject({ forbidden: true, hasSynced: false, phase: "error" });
    expect(reflector.status().error).toContain("forbidden");
    release();
    await reflector.synced;
    expect(reflector.status()).toMatchObject({ forbidden: false, hasSynced: true });
    expect(sink.calls).toEqual(listedCalls(["uid-a", "1"]));
  });

  it("waits at least as long as a 429's Retry-After asks", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "3" });
    lw.watchErrors.push(new KubeApiError(429, "too many requests", "TooManyRequests", 7));
    const { delays } = startReflector(lw, new RecordingSink());
    await lw.nextWatch();
    expect(delays).toEqual([7000]);
  });

  it("jitters delays upward by at most the jitter fraction", () => {
    const low = new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0 });
    const high = new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0.999 });
    expect(low.next()).toBe(1000);
    const stretched = high.next();
    expect(stretched).toBeGreaterThan(1490);
    expect(stretched).toBeLessThan(1500);
  });

  it("forgets earlier failures after a healthy period", () => {
    let now = 0;
    const backoff = new Backoff({ initialMs: 100, random: () => 0, resetAfterMs: 1000, now: () => now });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    backoff.markHealthy();
    now += 500;
    expect(backoff.next()).toBe(800);
    backoff.markHealthy();
    now += 1000;
    expect(backoff.next()).toBe(100);
  });

  it("restarts a watch that stays silent past the deadline, from the same resourceVersion", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "8" });
    const { reflector, delays } = startReflector(lw, new RecordingSink(), { stallTimeoutMs: 50 });

    const silent = await lw.nextWatch();
    const next = await lw.nextWatch();
    expect(silent.closed).toBe(true);
    expect(next.options.resourceVersion).toBe("8");
    expect(reflector.status().stallCount).toBe(1);
    expect(lw.listCalls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("gives up on a watch request that never answers and opens another", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "8" });
    lw.hangingWatches = 1;
    const { reflector } = startReflector(lw, new RecordingSink(), { stallTimeoutMs: 50 });
    const watch = await lw.nextWatch();
    expect(lw.watchCalls).toHaveLength(2);
    expect(watch.options.resourceVersion).toBe("8");
    expect(reflector.status().stallCount).toBe(1);
  });

  it("keeps a watch that keeps talking open past the deadline", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "8" });
    const { reflector } = startReflector(lw, new RecordingSink(), { stallTimeoutMs: 400 });
    const watch = await lw.nextWatch();
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 80));
      watch.push({ type: "BOOKMARK", object: { metadata: { resourceVersion: String(9 + i) } } });
    }
    await waitFor(() => reflector.status().resourceVersion === "18", "the last bookmark");
    expect(watch.closed).toBe(false);
    expect(reflector.status().stallCount).toBe(0);
  });

  it("passes on only the event types it was asked for", async () => {
    const lw = new FakeListerWatcher({ items: [configMap("a", "uid-a", "5")], resourceVersion: "5" });
    const sink = new RecordingSink();
    startReflector(lw, sink, { forwards: (event) => event !== "MODIFIED" });
    const watch = await lw.nextWatch();
    watch.push({ type: "MODIFIED", object: configMap("a", "uid-a", "6") });
    watch.push({ type: "ADDED", object: configMap("b", "uid-b", "7") });
    watch.push({ type: "DELETED", object: configMap("a", "uid-a", "8") });
    await waitFor(() => sink.calls.length === 4, "add and delete");
    expect(sink.calls.slice(2)).toEqual([
      { op: "upsert", uid: "uid-b", rv: "7" },
      { op: "delete", uid: "uid-a" },
    ]);
  });

  it("keeps going when the sink throws", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "1" });
    const sink = new RecordingSink();
    let fail = true;
    const original = sink.upsert.bind(sink);
    sink.upsert = (c, t, o) => {
      if (fail) {
        fail = false;
        throw new Error("consumer bug");
      }
      original(c, t, o);
    };
    const { reflector } = startReflector(lw, sink);
    const watch = await lw.nextWatch();
    watch.push({ type: "ADDED", object: configMap("a", "uid-a", "2") });
    watch.push({ type: "ADDED", object: configMap("b", "uid-b", "3") });
    await waitFor(() => sink.state.has("uid-b"), "the second event");
    expect(reflector.status().phase).toBe("watching");
  });

  it("relists on request without waiting", async () => {
    const lw = new FakeListerWatcher(
      { items: [], resourceVersion: "1" },
      { items: [], resourceVersion: "2" },
    );
    const { reflector, delays } = startReflector(lw, new RecordingSink());
    const first = await lw.nextWatch();
    reflector.relist();
    const second = await lw.nextWatch();
    expect(first.closed).toBe(true);
    expect(second.options.resourceVersion).toBe("2");
    expect(reflector.relistCount).toBe(1);
    expect(delays).toEqual([]);
  });

  it("stop closes the open stream and ends the loop", async () => {
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "1" });
    const { reflector } = startReflector(lw, new RecordingSink());
    const watch = await lw.nextWatch();
    await reflector.stop();
    expect(watch.closed).toBe(true);
    expect(reflector.status().phase).toBe("stopped");
    expect(lw.watchCalls).toHaveLength(1);
  });
});

/** Answers the first page at once and holds every later page until released. */
class HeldPagesLister extends FakeListerWatcher {
  pagesAsked = 0;
  private release: () => void = () => {};
  private readonly released = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  releasePages(): void {
    this.release();
  }

  override async list(options: ListOptions): Promise<ListPage> {
    this.pagesAsked += 1;
    if (options.continue !== undefined) await this.released;
    return super.list(options);
  }
}

describe("a reflector's progress", () => {
  it("counts the pages of its first list as they arrive, then what it holds", async () => {
    const first = [configMap("a", "uid-a", "1"), configMap("b", "uid-b", "2")];
    const second = [configMap("c", "uid-c", "3")];
    const lw = new HeldPagesLister((options) =>
      options.continue
        ? { items: second, resourceVersion: "9" }
        : { items: first, resourceVersion: "9", continue: "page-2" },
    );
    const { reflector } = startReflector(lw, new RecordingSink(), { pageSize: 2 });
    expect(reflector.progress()).toEqual({ synced: false, forbidden: false, objects: 0 });

    await waitFor(() => lw.pagesAsked === 2, "the second page requested");
    expect(reflector.progress()).toEqual({ synced: false, forbidden: false, objects: 2 });

    lw.releasePages();
    await reflector.synced;
    expect(reflector.progress()).toEqual({ synced: true, forbidden: false, objects: 3 });
  });
});
