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
});
