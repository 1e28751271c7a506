import { describe, expect, it } from "vitest";
import { closestName } from "../src/index.js";

describe("closestName", () => {
  it("finds the known name a typo meant, in any case, edits and swapped neighbours counted", () => {
    expect(closestName("pdo", ["Pod", "Service"])).toBe("Pod");
    expect(closestName("DEPLOYMNET", ["Deployment", "DaemonSet"])).toBe("Deployment");
    expect(closestName("app/v1", new Set(["v1", "apps/v1"]))).toBe("apps/v1");
  });

  it("suggests nothing far off, and does not compare a long name at all", () => {
    expect(closestName("gizmo", ["Pod", "Service"])).toBeUndefined();
    expect(closestName(`${"p".repeat(64)}od`, ["Pod"])).toBeUndefined();
    expect(closestName("pod", [])).toBeUndefined();
  });

  it("picks what comparing every name in full would pick, the pruning and cut-off notwithstanding", () => {
    // The whole edit table, swaps counted: what closestName's three rows and early exit must agree with.
    const fullDistance = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => i + j),
      );
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          const row = d[i]!;
          row[j] = Math.min(
            d[i - 1]![j]! + 1,
            row[j - 1]! + 1,
            d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
          );
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
            row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
        }
      return d[a.length]![b.length]!;
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = () => Array.from({ length: 1 + random(9) }, () => "abcde"[random(5)]).join("");
    for (let round = 0; round < 1000; round++) {
      const known = Array.from({ length: 20 }, word);
      const typo = word();
      let expected: string | undefined;
      let best = Number.POSITIVE_INFINITY;
      for (const name of known) {
        const d = fullDistance(typo, name);
        if (d <= Math.max(1, Math.floor(name.length / 3)) && d < best) {
          expected = name;
          best = d;
        }
      }
      expect(closestName(typo, known), `${typo} among ${known.join(",")}`).toBe(expected);
    }
  });
});
