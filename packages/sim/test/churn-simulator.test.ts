import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinResourceTypes } from "../src/catalog.js";
import { createChurner } from "../src/churn.js";
import { type RunningSimulator, startSimulator } from "../src/index.js";
import type { KubeObject } from "../src/object-api.js";

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);

function everything(sim: RunningSimulator): KubeObject[] {
  return builtinResourceTypes
    .filter((t) => t.preferred && t.verbs.includes("list"))
    .flatMap((t) => sim.api.list(t.group, t.version, t.name));
}

// The churn against the simulator's own store: its validation, its status subresource rules,
// its namespace handling. The in-memory store of churn.test.ts covers the rest.
describe("churn against the simulator's store", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: "small", seed: 2 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("is accepted by the store and leaves the cluster consistent", () => {
    const before = sim.resourceVersion();
    const churner = createChurner(sim.api, 2);
    for (let i = 0; i < 800; i++) churner.step();
    expect(churner.stats.errors, churner.stats.lastError).toBe(0);
    expect(churner.stats.creates).toBeGreaterThan(0);
    expect(churner.stats.deletes).toBeGreaterThan(0);
    expect(sim.resourceVersion()).toBeGreaterThan(before);

    const objects = everything(sim);
    const byUid = new Map(objects.map((o) => [o.metadata?.uid, o]));
    const problems: string[] = [];
    for (const o of objects) {
      for (const ref of o.metadata?.ownerReferences ?? []) {
        if (!byUid.has(ref.uid)) problems.push(`${o.kind} ${o.metadata?.name}: owner ${ref.name} missing`);
      }
      if (o.kind !== "EndpointSlice") continue;
      for (const endpoint of asList(o.endpoints)) {
        const uid = asRecord(endpoint.targetRef).uid;
        if (uid !== undefined && !byUid.has(String(uid)))
          problems.push(`${o.metadata?.name}: target missing`);
      }
    }
    expect(problems).toEqual([]);
  });

  // Status writes need the store's status subresource (ObjectApi.updateStatus); without it, the
  // store keeps the old status and new pods stay Pending.
  it("starts the pods a scale-up created, through the status subresource", () => {
    expect(typeof sim.api.updateStatus).toBe("function");
    const generated = new Set(everything(sim).map((o) => o.metadata?.uid));
    const churner = createChurner(sim.api, 8);
    for (let i = 0; i < 800; i++) churner.step();
    const started = sim.api
      .list("", "v1", "pods")
      .filter((pod) => !generated.has(pod.metadata?.uid) && asRecord(pod.status).phase === "Running");
    expect(started.length).toBeGreaterThan(0);
  });
});
