import { describe, expect, it } from "vitest";
import { startSimulator } from "../src/index.js";

describe("loading objects at start", () => {
  it("adds the system namespaces and loads namespaces before what lives in them", async () => {
    const sim = await startSimulator({
      scenario: "empty",
      objects: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "early", namespace: "late-ns" } },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "late-ns", uid: "fixed-uid" } },
      ],
    });
    try {
      expect(sim.api.get("", "v1", "namespaces", undefined, "late-ns")?.metadata?.uid).toBe("fixed-uid");
      expect(sim.api.get("", "v1", "configmaps", "late-ns", "early")).toBeDefined();
      expect(sim.api.list("", "v1", "namespaces").map((ns) => ns.metadata?.name)).toEqual([
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
        "late-ns",
      ]);
    } finally {
      await sim.close();
    }
  });

  it("refuses an object it cannot serve with a message that names it", async () => {
    await expect(
      startSimulator({
        scenario: "empty",
        objects: [{ apiVersion: "example.com/v1", kind: "Gizmo", metadata: { name: "g" } }],
      }),
    ).rejects.toThrow("cannot load example.com/v1 Gizmo /g: the simulator does not serve that kind");
    await expect(
      startSimulator({
        scenario: "empty",
        objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lost", namespace: "nowhere" } }],
      }),
    ).rejects.toThrow('cannot load v1 ConfigMap nowhere/lost: namespaces "nowhere" not found');
  });

  it("loads custom resources after the CRDs that define them", async () => {
    const sim = await startSimulator({
      scenario: "empty",
      objects: [
        { apiVersion: "example.com/v1", kind: "Gizmo", metadata: { name: "g", namespace: "default" } },
        {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: "gizmos.example.com" },
          spec: {
            group: "example.com",
            scope: "Namespaced",
            names: { plural: "gizmos", singular: "gizmo", kind: "Gizmo" },
            versions: [{ name: "v1", served: true, storage: true }],
          },
        },
      ],
    });
    try {
      expect(sim.api.get("example.com", "v1", "gizmos", "default", "g")).toBeDefined();
    } finally {
      await sim.close();
    }
  });

  it("refuses an unknown scenario with the names it knows", async () => {
    await expect(startSimulator({ scenario: "no-such-scenario" })).rejects.toThrow(
      /unknown scenario "no-such-scenario"/,
    );
  });
});
