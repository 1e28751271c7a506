// How the reflector recovers from each kind of watch failure, as client-go's Reflector does: a busy
// or briefly unreachable server gets the watch reopened from the same resourceVersion; a
// resourceVersion the server cannot serve, or anything unexpected, leads to a relist.
import { afterEach, describe, expect, it } from "vitest";
import { Backoff } from "../../src/kube/backoff.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { silentLogger } from "../../src/kube/logger.js";
import { Reflector } from "../../src/kube/reflector.js";
import type { KubeObject } from "../../src/kube/types.js";
import { MAX_INTERNAL_ERROR_RETRIES } from "../../src/kube/watch-failure.js";
import { cluster, configMap, configMaps, FakeListerWatcher, RecordingSink, recordingSleep } from "./fakes.js";

const running: Reflector[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((reflector) => reflector.stop()));
});

function start(lw: FakeListerWatcher) {
  const slept = recordingSleep();
  const reflector = new Reflector({
    cluster,
    type: configMaps,
    listerWatcher: lw,
    sink: new RecordingSink(),
    logger: silentLogger,
    sleep: slept.sleep,
    random: () => 0,
    backoff: new Backoff({ initialMs: 100, random: () => 0 }),
  });
  running.push(reflector);
  reflector.start();
  return { reflector, delays: slept.delays };
}

/** Lists answering resourceVersions 10, 20, 30, … so each watch shows which list it follows. */
function listsCountingUp(): FakeListerWatcher {
  let n = 0;
  return new FakeListerWatcher(() => {
    n += 1;
    return { items: [configMap("a", "uid-a", String(n * 10))], resourceVersion: String(n * 10) };
  });
}

function status(code: number, reason: string, message: string, details?: object): KubeObject {
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, details };
}

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
}

describe("Reflector watch failures", () => {
  it("relists when the watch asks for a resourceVersion the server has not reached (504)", async () => {
    const lw = listsCountingUp();
    lw.watchErrors.push(new KubeApiError(504, "Too large resource version: 10, current: 4", "Timeout"));
    const { reflector } = start(lw);
    const watch = await lw.nextWatch();
    expect(lw.listCalls).toHaveLength(2);
    expect(watch.options.resourceVersion).toBe("20");
    expect(reflector.relistCount).toBe(1);
  });

  it("relists on an ERROR event whose cause is ResourceVersionTooLarge", async () => {
    const lw = listsCountingUp();
    const { delays } = start(lw);
    const first = await lw.nextWatch();
    first.push({ type: "ADDED", object: configMap("b", "uid-b", "11") });
    first.push({
      type: "ERROR",
      object: status(504, "Timeout", "too large", { causes: [{ reason: "ResourceVersionTooLarge" }] }),
    });
    const second = await lw.nextWatch();
    expect(second.options.resourceVersion).toBe("20");
    expect(lw.listCalls).toHaveLength(2);
    expect(delays).toEqual([]);
  });

  it("does not re-watch a too-large resourceVersion forever", async () => {
    const lw = new FakeListerWatcher({ items: [configMap("a", "uid-a", "100")], resourceVersion: "100" });
    for (let i = 0; i < 50; i++) {
      lw.watchErrors.push(new KubeApiError(504, "Too large resource version: 100, current: 40", "Timeout"));
    }
    start(lw);
    await lw.nextWatch();
    expect(lw.watchCalls).toHaveLength(51);
    expect(lw.listCalls).toHaveLength(51);
  });

  it("re-watches from the same resourceVersion after a few internal errors, then relists", async () => {
    const lw = listsCountingUp();
    for (let i = 0; i <= MAX_INTERNAL_ERROR_RETRIES; i++) {
      lw.watchErrors.push(new KubeApiError(500, "etcd leader changed", "InternalError"));
    }
    const { delays } = start(lw);
    const watch = await lw.nextWatch();
    const rvs = lw.watchCalls.map((call) => call.resourceVersion);
    expect(rvs).toEqual([...Array(MAX_INTERNAL_ERROR_RETRIES + 1).fill("10"), "20"]);
    expect(watch.options.resourceVersion).toBe("20");
    expect(delays).toHaveLength(MAX_INTERNAL_ERROR_RETRIES + 1);
  });

  it("counts internal errors afresh once a watch delivers again", async () => {
    const lw = listsCountingUp();
    for (let i = 0; i < MAX_INTERNAL_ERROR_RETRIES; i++) {
      lw.watchErrors.push(new KubeApiError(500, "internal", "InternalError"));
    }
    start(lw);
    const healthy = await lw.nextWatch();
    healthy.push({ type: "ADDED", object: configMap("b", "uid-b", "12") });
    healthy.fail(new KubeApiError(500, "internal", "InternalError"));
    const next = await lw.nextWatch();
    expect(next.options.resourceVersion).toBe("12");
    expect(lw.listCalls).toHaveLength(1);
  });

  it("relists after a wait on an ERROR event it has no specific answer for", async () => {
    const lw = listsCountingUp();
    const { delays } = start(lw);
    const first = await lw.nextWatch();
    first.push({ type: "ERROR", object: status(400, "BadRequest", "unable to decode watch request") });
    const second = await lw.nextWatch();
    expect(first.closed).toBe(true);
    expect(second.options.resourceVersion).toBe("20");
    expect(lw.listCalls).toHaveLength(2);
    expect(delays).toEqual([100]);
  });

  it("relists after a wait when opening the watch fails for any other reason", async () => {
    const lw = listsCountingUp();
    lw.watchErrors.push(new KubeApiError(403, "watch forbidden", "Forbidden"), new Error("socket hang up"));
    const { delays } = start(lw);
    const watch = await lw.nextWatch();
    expect(lw.listCalls).toHaveLength(3);
    expect(watch.options.resourceVersion).toBe("30");
    expect(delays).toEqual([100, 200]);
  });

  it("re-watches from the same resourceVersion while the server refuses connections", async () => {
    const lw = listsCountingUp();
    lw.watchErrors.push(refused(), refused());
    const { delays } = start(lw);
    const watch = await lw.nextWatch();
    expect(lw.listCalls).toHaveLength(1);
    expect(watch.options.resourceVersion).toBe("10");
    expect(delays).toEqual([100, 200]);
  });

  it("re-watches from where it was after a stream cut mid-way", async () => {
    const lw = listsCountingUp();
    const { delays } = start(lw);
    const first = await lw.nextWatch();
    first.push({ type: "ADDED", object: configMap("b", "uid-b", "15") });
    first.fail(new Error("aborted"));
    const second = await lw.nextWatch();
    expect(second.options.resourceVersion).toBe("15");
    expect(lw.listCalls).toHaveLength(1);
    expect(delays).toEqual([100]);
  });

  it("re-watches at once, without a relist, when the server ends the stream cleanly", async () => {
    const lw = listsCountingUp();
    const { delays } = start(lw);
    const first = await lw.nextWatch();
    first.push({ type: "BOOKMARK", object: { metadata: { resourceVersion: "16" } } });
    first.end();
    const second = await lw.nextWatch();
    expect(second.options.resourceVersion).toBe("16");
    expect(lw.listCalls).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("relists after a wait when the server closes every watch as soon as it opens", async () => {
    const lw = listsCountingUp();
    const { delays } = start(lw);
    (await lw.nextWatch()).end();
    const second = await lw.nextWatch();
    expect(second.options.resourceVersion).toBe("20");
    expect(delays).toEqual([100]);
  });
});
