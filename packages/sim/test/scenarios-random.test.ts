import { describe, expect, it } from "vitest";
import { Random } from "../src/random.js";
import { generateScenario } from "../src/scenarios/index.js";
import { distribute } from "../src/scenarios/sizes.js";

describe("Random", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 20 }, () => random.uint32());
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it("keeps int() within both bounds and reaches each of them", () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = random.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it("makes UUIDs, hex strings and Kubernetes-style name suffixes", () => {
    const random = new Random(2);
    for (let i = 0; i < 200; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    for (const length of [1, 7, 8, 9, 64])
      expect(random.hex(length)).toMatch(new RegExp(`^[0-9a-f]{${length}}$`));
    expect(random.suffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(random.templateHash()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it("forks streams that depend only on the parent's state and the label", () => {
    const a = new Random(9).fork("churn");
    const b = new Random(9).fork("churn");
    const c = new Random(9).fork("other");
    const first = a.uint32();
    expect(b.uint32()).toBe(first);
    expect(c.uint32()).not.toBe(first);
  });

  it("refuses to pick from nothing", () => {
    expect(() => new Random(1).pick([])).toThrow(RangeError);
  });
});

describe("distribute", () => {
  it("splits a total exactly, giving every part at least one", () => {
    const random = new Random(4);
    for (const [total, count] of [
      [50, 7],
      [4713, 317],
      [10, 10],
      [144_625, 9_897],
    ] as const) {
      const parts = distribute(random, total, count);
      expect(parts).toHaveLength(count);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.min(...parts)).toBeGreaterThanOrEqual(1);
    }
  });

  it("rejects a total too small to give each part one", () => {
    expect(() => distribute(new Random(1), 3, 4)).toThrow(RangeError);
  });
});

describe("cluster identity", () => {
  // meshsync takes the kube-system namespace's uid as the cluster id, so it must follow the seed.
  const kubeSystemUid = (seed: number) =>
    generateScenario("demo", seed).find((o) => o.kind === "Namespace" && o.metadata?.name === "kube-system")
      ?.metadata?.uid;

  it("is stable for a seed and distinct across seeds", () => {
    expect(kubeSystemUid(1)).toBe(kubeSystemUid(1));
    expect(kubeSystemUid(1)).not.toBe(kubeSystemUid(2));
  });
});
