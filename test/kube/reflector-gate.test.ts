// The reflector and its cluster gate: it waits at the gate before each list and watch, holds back
// anything whose resourceVersion went backwards until the gate has checked the cluster, and leaves
// the one log line about a cluster that does not answer to the gate.
import { afterEach, describe, expect, it } from "vitest";
import type { ClusterGate } from "../../src/kube/cluster-contact.js";
import { KubeApiError } from "../../src/kube/errors.js";
import type { Logger } from "../../src/kube/logger.js";
import { Reflector } from "../../src/kube/reflector.js";
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

/** A gate the test opens and closes, recording what it was asked to verify. */
class FakeGate implements ClusterGate {
  readonly verifications: string[] = [];
  private open = true;
  private waiters: (() => void)[] = [];

  close(): void {
    this.open = false;
  }

  release(): void {
    this.open = true;
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  get waiting(): number {
    return this.waiters.length;
  }

  available(signal: AbortSignal): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  }

  verify(reason: string, signal: AbortSignal): Promise<void> {
    this.verifications.push(reason);
    this.close();
    return this.available(signal);
  }
}

const running: Reflector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((reflector) => reflector.stop()));
});

function start(lw: FakeListerWatcher, gate: ClusterGate, logger?: Logger, stallTimeoutMs?: number) {
  const sink = new RecordingSink();
  const slept = recordingSleep();
  const messages: string[] = [];
  const record = (level: string) => (_fields: object, msg?: string) => messages.push(`${level} ${msg}`);
  const reflector = new Reflector({
    cluster,
    type: configMaps,
    listerWatcher: lw,
    sink,
    logger: logger ?? {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    },
    sleep: slept.sleep,
    random: () => 0,
    gate,
    ...(stallTimeoutMs === undefined ? {} : { stallTimeoutMs }),
  });
  running.push(reflector);
  reflector.start();
  return { reflector, sink, delays: slept.delays, messages };
}

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
}

describe("Reflector behind a cluster gate", () => {
  it("waits at a closed gate before it lists or watches", async () => {
    const gate = new FakeGate();
    gate.close();
    const lw = new FakeListerWatcher({ items: [configMap("a", "uid-a", "5")], resourceVersion: "5" });
    const { sink } = start(lw, gate);
    await waitFor(() => gate.waiting === 1, "the reflector at the gate");
    expect(lw.listCalls).toHaveLength(0);
    gate.release();
    await lw.nextWatch();
    expect(sink.calls).toEqual(listedCalls(["uid-a", "5"]));
  });

  it("holds back a relist whose resourceVersion went backwards until the gate has checked the cluster", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher(
      { items: [configMap("a", "uid-a", "900")], resourceVersion: "900" },
      { items: [configMap("z", "uid-z", "3")], resourceVersion: "4" },
    );
    const { reflector, sink } = start(lw, gate);
    const first = await lw.nextWatch();
    reflector.relist();
    await waitFor(() => gate.verifications.length === 1, "the check");
    expect(gate.verifications[0]).toMatch(/configmaps\.v1\. listed at resourceVersion 4, behind 900/);
    expect(first.closed).toBe(true);
    expect(sink.calls).toEqual(listedCalls(["uid-a", "900"]));

    gate.release();
    const second = await lw.nextWatch();
    expect(sink.calls).toEqual([...listedCalls(["uid-a", "900"]), ...listedCalls(["uid-z", "3"])]);
    expect(second.options.resourceVersion).toBe("4");
  });

  it("delivers nothing after a watch event behind the stream, and lists again once the cluster is checked", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher(
      { items: [configMap("a", "uid-a", "900")], resourceVersion: "900" },
      { items: [configMap("b", "uid-b", "20")], resourceVersion: "20" },
    );
    const { sink } = start(lw, gate);
    const watch = await lw.nextWatch();
    watch.push({ type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: "12" } } });
    watch.push({ type: "ADDED", object: configMap("c", "uid-c", "13") });
    await waitFor(() => gate.verifications.length === 1, "the check");
    expect(gate.verifications[0]).toMatch(/watch sent BOOKMARK at resourceVersion 12, behind 900/);
    expect(watch.closed).toBe(true);
    gate.release();
    const next = await lw.nextWatch();
    expect(next.options.resourceVersion).toBe("20");
    expect(sink.calls).toEqual([...listedCalls(["uid-a", "900"]), ...listedCalls(["uid-b", "20"])]);
  });

  it("asks the gate to check the cluster when the server ends a watch long before its timeout", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "7" });
    const { reflector } = start(lw, gate, undefined, 50);
    const watch = await lw.nextWatch();
    watch.push({ type: "BOOKMARK", object: { metadata: { resourceVersion: "8" } } });
    watch.end();
    await waitFor(() => gate.verifications.length === 1, "the check");
    expect(gate.verifications[0]).toMatch(/configmaps\.v1\. watch ended after \d+ ms of the 300 s asked for/);
    // Four stall deadlines go by while the cluster is being checked: waiting is not a stall.
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate.release();
    const next = await lw.nextWatch();
    expect(next.options.resourceVersion).toBe("8");
    expect(reflector.status()).toMatchObject({ stallCount: 0, relistCount: 0 });
  });

  it("takes resourceVersions that are not numbers as they come", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "b2" });
    const { reflector } = start(lw, gate);
    const watch = await lw.nextWatch();
    watch.push({ type: "BOOKMARK", object: { metadata: { resourceVersion: "a1" } } });
    await waitFor(() => reflector.status().resourceVersion === "a1", "the bookmark");
    expect(gate.verifications).toEqual([]);
  });

  it("leaves a cluster that does not answer to the gate's one log line, and warns about a server that errs", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "1" });
    lw.watchErrors.push(refused(), refused(), new KubeApiError(500, "boom", "InternalError"));
    const { reflector, messages } = start(lw, gate);
    await waitFor(() => reflector.status().watchCount === 1, "the watch to open");
    expect(messages.filter((m) => m.startsWith("warn"))).toEqual(["warn list/watch failed; retrying"]);
    expect(messages.filter((m) => m === "debug list/watch failed; retrying")).toHaveLength(2);
  });

  it("warns of a failure once while it repeats, and again once it has healed and comes back", async () => {
    const gate = new FakeGate();
    const lw = new FakeListerWatcher({ items: [], resourceVersion: "1" });
    const denied = () => new KubeApiError(403, "configmaps is forbidden", "Forbidden");
    const warned: string[] = [];
    const quiet = () => {};
    const logger = {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (fields: object) => warned.push("error" in fields ? String(fields.error) : "?"),
    };
    lw.watchErrors.push(denied(), denied(), denied());
    const { reflector } = start(lw, gate, logger);
    const watch = await lw.nextWatch();
    await waitFor(() => reflector.status().watchCount === 1, "the watch to open");
    expect(warned).toEqual(["configmaps is forbidden"]);
    lw.watchErrors.push(denied());
    // A watch that ends at once has the gate check the cluster first.
    watch.end();
    await waitFor(() => gate.verifications.length === 1, "the check");
    gate.release();
    await waitFor(() => reflector.status().watchCount === 2, "the watch to open again");
    expect(warned.filter((error) => error === "configmaps is forbidden")).toHaveLength(2);
  });
});
