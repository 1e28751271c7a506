import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BodyPacker, type Packable, type PackedText } from "../../src/graph/body-packer.js";
import { ResourceGraph } from "../../src/graph/resource-graph.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";

/** A stored text the packer may replace with a packed copy, as the graph's resources are. */
class FakeItem implements Packable {
  packed: PackedText | undefined;
  packCalls = 0;

  constructor(
    readonly key: string,
    readonly typeName: string,
    readonly storedAtMs: number,
    readonly original: string,
  ) {}

  get unpackedText(): string | undefined {
    return this.packed === undefined ? this.original : undefined;
  }

  pack(packed: PackedText): void {
    this.packCalls++;
    this.packed = packed;
  }
}

/** Fails, naming what it waited for, rather than letting a packer that never settles hang the test. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pod-like JSON text of a few KB, different for each index. */
function podText(index: number, extra = ""): string {
  return JSON.stringify({
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name: `shop-web-7f9c8d-${index.toString(36)}`,
      namespace: "shop",
      uid: `2b1c${index.toString(16).padStart(4, "0")}-5a3e-4c2d-9f1a-8e7d6c5b4a39`,
      resourceVersion: String(1000 + index),
      creationTimestamp: "2026-01-05T09:01:09Z",
      note: extra,
    },
    spec: {
      nodeName: `node-${index % 3}`,
      containers: [
        {
          name: "web",
          image: "registry.example.com/shop/web:1.4.2",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          env: [
            { name: "SHOP_MODE", value: "production" },
            { name: "SHOP_INDEX", value: String(index) },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          volumeMounts: [
            { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
          ],
        },
      ],
      restartPolicy: "Always",
      serviceAccountName: "default",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: "Running",
      podIP: `10.0.${index % 256}.${(index * 7) % 256}`,
      conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
        type,
        status: "True",
        lastTransitionTime: "2026-01-05T09:01:12Z",
      })),
      containerStatuses: [{ name: "web", ready: true, restartCount: index % 4, started: true }],
    },
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("BodyPacker", () => {
  it("packs cold texts so that reading them back gives exactly the original", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: () => true });
    const items = Array.from({ length: 30 }, (_, i) => new FakeItem(`k${i}`, "pods.v1.", 0, podText(i)));
    for (const item of items) packer.add(item);
    expect(packer.pending).toBe(items.length);
    await within(packer.settled(), 5_000, "packing 30 texts");
    expect(packer.packed).toBe(items.length);
    for (const item of items) {
      expect(item.packCalls, item.key).toBe(1);
      expect(item.unpackedText, item.key).toBeUndefined();
      expect(item.packed!.text, item.key).toBe(item.original);
      expect(item.packed!.heapSize, item.key).toBeLessThan(item.original.length / 2);
    }
    expect(packer.savedChars).toBe(items.reduce((sum, item) => sum + item.original.length, 0));
  });

  it("packs a burst of writes as large as a list's once the writes stop", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: () => true });
    const items = Array.from({ length: 500 }, (_, i) => new FakeItem(`k${i}`, "pods.v1.", 0, podText(i)));
    for (const item of items) packer.add(item);
    await within(packer.settled(), 5_000, "packing a burst of 500 texts");
    expect(packer.packed).toBe(items.length);
    expect(items.every((item) => item.packed?.text === item.original)).toBe(true);
  });

  it("gives non-ASCII text back exactly, the dictionary's text included", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: () => true });
    // The first text of a type becomes its dictionary, cut to its last 8 KiB: longer than that, and
    // with multi-byte characters, the cut falls inside one.
    const long = podText(0, "café ü 日本語 🚀 ".repeat(1_200));
    const texts = [
      long,
      ...Array.from({ length: 10 }, (_, i) => podText(i + 1, `ключ ${i} — 値 ${"é".repeat(i)} 😀`)),
    ];
    const items = texts.map((text, i) => new FakeItem(`k${i}`, "configmaps.v1.", 0, text));
    for (const item of items) packer.add(item);
    await within(packer.settled(), 5_000, "packing non-ASCII texts");
    for (const item of items) {
      expect(item.packed, item.key).toBeDefined();
      expect(item.packed!.text, item.key).toBe(item.original);
    }
  });

  it("leaves texts under 256 characters as they are", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: () => true });
    // As compressible as text gets: only their length keeps the short ones unpacked.
    const short = new FakeItem("short", "a", 0, "a".repeat(255));
    const atLimit = new FakeItem("at-limit", "b", 0, "b".repeat(256));
    packer.add(short);
    expect(packer.pending).toBe(0);
    packer.add(atLimit);
    await within(packer.settled(), 5_000, "packing the 256-character text");
    expect(short.packCalls).toBe(0);
    expect(short.unpackedText).toBe(short.original);
    expect(atLimit.packed?.text).toBe(atLimit.original);
  });

  it("leaves a text that is no longer the current version as it is", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: (item) => item.key !== "superseded" });
    const current = new FakeItem("current", "pods.v1.", 0, podText(1));
    const superseded = new FakeItem("superseded", "pods.v1.", 0, podText(2));
    packer.add(superseded);
    packer.add(current);
    await within(packer.settled(), 5_000, "packing");
    expect(superseded.packCalls).toBe(0);
    expect(superseded.unpackedText).toBe(superseded.original);
    expect(current.packed?.text).toBe(current.original);
    expect(packer.packed).toBe(1);
  });

  it("leaves a text that does not shrink by half as it is", async () => {
    const packer = new BodyPacker({ coldAfterMs: 0, isCurrent: () => true });
    // The first text of a type is its dictionary, which any text packs well against when it is that
    // text: the random ones come after it.
    const first = new FakeItem("first", "secrets.v1.", 0, podText(0));
    // Base64 of random bytes deflates to about three quarters of its length.
    const randoms = [1, 2, 3].map(
      (i) => new FakeItem(`random-${i}`, "secrets.v1.", 0, randomBytes(3_000).toString("base64")),
    );
    for (const item of [first, ...randoms]) packer.add(item);
    await within(packer.settled(), 5_000, "trying to pack random text");
    for (const random of randoms) {
      expect(random.packCalls, random.key).toBe(0);
      expect(random.unpackedText, random.key).toBe(random.original);
    }
    expect(packer.packed).toBe(1);
    expect(packer.pending).toBe(0);
  });

  it("settles at once when nothing is queued", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate"] });
    const packer = new BodyPacker({ coldAfterMs: 10_000, isCurrent: () => true, now: () => 0 });
    let settled = false;
    void packer.settled().then(() => {
      settled = true;
    });
    // No timer runs: only the promise's own turn.
    await Promise.resolve();
    expect(settled).toBe(true);
  });

  it("settles once the queue is empty, not before", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate"] });
    let clock = 1_000;
    const packer = new BodyPacker({ coldAfterMs: 500, isCurrent: () => true, now: () => clock });
    const items = Array.from({ length: 5 }, (_, i) => new FakeItem(`k${i}`, "pods.v1.", clock, podText(i)));
    for (const item of items) packer.add(item);
    let settled = false;
    void packer.settled().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    clock += 500;
    await vi.advanceTimersByTimeAsync(500);
    await vi.runAllTimersAsync();
    expect(settled).toBe(true);
    expect(packer.pending).toBe(0);
    expect(items.every((item) => item.packed?.text === item.original)).toBe(true);
  });

  it("packs nothing before it has been cold for coldAfterMs", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate"] });
    let clock = 50_000;
    const packer = new BodyPacker({ coldAfterMs: 10_000, isCurrent: () => true, now: () => clock });
    const advance = async (ms: number) => {
      clock += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    const early = new FakeItem("early", "pods.v1.", clock, podText(1));
    packer.add(early);
    await advance(5_000);
    const late = new FakeItem("late", "pods.v1.", clock, podText(2));
    packer.add(late);

    await advance(4_999);
    expect(early.packCalls, "early, 9,999 ms after it was stored").toBe(0);
    await advance(1);
    expect(early.packed?.text, "early, 10,000 ms after it was stored").toBe(early.original);
    expect(late.packCalls, "late, 5,000 ms after it was stored").toBe(0);

    await advance(4_999);
    expect(late.packCalls, "late, 9,999 ms after it was stored").toBe(0);
    await advance(1);
    expect(late.packed?.text, "late, 10,000 ms after it was stored").toBe(late.original);
  });
});

describe("ResourceGraph with packBodiesAfterMs 0", () => {
  const cluster: ClusterRef = { id: "cluster-1", name: "one" };
  const podsType: ResourceType = {
    group: "",
    version: "v1",
    resource: "pods",
    kind: "Pod",
    namespaced: true,
    verbs: ["list", "watch"],
  };

  function pod(index: number): KubeObject {
    const object = JSON.parse(podText(index, index % 5 === 0 ? "naïve — 🚀" : "")) as KubeObject;
    const metadata = object.metadata!;
    metadata.labels = { app: "shop-web", "pod-template-hash": "7f9c8d", shard: String(index % 4) };
    if (index % 2 === 0)
      metadata.annotations = { "kubectl.kubernetes.io/restartedAt": "2026-01-05T09:00:00Z" };
    if (index % 3 !== 0)
      metadata.ownerReferences = [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "shop-web-7f9c8d",
          uid: "rs-uid",
          controller: true,
        },
      ];
    return object;
  }

  it("packs stored texts, and every object and objectText reads as before", async () => {
    const graph = new ResourceGraph({ packBodiesAfterMs: 0 });
    for (let i = 0; i < 50; i++) graph.upsert(cluster, podsType, pod(i));
    // Read before the packer's first turn, while every text is as it was stored.
    const before = new Map(
      [...graph.all()].map((r) => [r.key, { object: r.object, objectText: r.objectText }]),
    );
    expect(before.size).toBe(50);
    expect(graph.packing.packed).toBe(0);
    await within(graph.settledBodies(), 5_000, "the graph's bodies to settle");
    expect(graph.packing.packed).toBeGreaterThan(0);
    expect(graph.packing.pending).toBe(0);
    for (const r of graph.all()) {
      const was = before.get(r.key)!;
      expect(r.object, r.key).toStrictEqual(was.object);
      expect(r.objectText, r.key).toBe(was.objectText);
    }
  });
});
