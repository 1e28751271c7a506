// What changed, when, end to end: `meshsync sim` and `meshsync serve` as real processes. A ConfigMap is
// created, changed and deleted through the simulator's API; the server's retained window answers for it
// by time and by cursor, its history is reached through its DELETED change, and /metrics shows the
// window's length and bytes within the budget it was given.
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangesDocument, DeletedHistoryDocument, ResourcesDocument } from "../generated/graphql.js";
import { queryData } from "../support/graphql-client.js";
import { type RunningProcess, type SimAndServe, startSimAndServe } from "../support/processes.js";
import { simRequest as requestSim } from "../support/sim-request.js";

const budget = 8 * 1024 * 1024;

let processes: SimAndServe;
let sim: RunningProcess;
let serve: RunningProcess;
let graphqlUrl: string;

const simRequest = (method: string, path: string, body?: unknown, contentType?: string) =>
  requestSim(sim.origin, method, path, body, contentType);

function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

beforeAll(async () => {
  processes = await startSimAndServe(
    ["--scenario", "demo", "--seed", "3"],
    ["--retained-change-bytes", String(budget)],
  );
  ({ sim, serve, graphqlUrl } = processes);
});

afterAll(async () => {
  await processes?.stop();
});

describe("what changed, when, over real processes", () => {
  it("lists an object's changes since a time and since a cursor, and its history through its DELETED change", async () => {
    const name = `history-${Date.now()}`;
    const filter = { kinds: ["ConfigMap"], namespaces: ["default"], names: [name] };
    const before = await queryData(graphqlUrl, ResourcesDocument, { filter, first: 1 });
    const startedAt = new Date().toISOString();
    await simRequest("POST", "/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data: { step: "1" },
    });
    await simRequest(
      "PATCH",
      `/api/v1/namespaces/default/configmaps/${name}`,
      { data: { step: "2" } },
      "application/merge-patch+json",
    );
    await simRequest("DELETE", `/api/v1/namespaces/default/configmaps/${name}`);
    const readByTime = async () =>
      (await queryData(graphqlUrl, ChangesDocument, { filter, sinceTime: startedAt })).changes;
    await eventually(async () => (await readByTime()).changes.length === 3, 10_000, "three changes listed");
    const byTime = await readByTime();
    expect(byTime.changes.map((c) => c.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(byTime.complete).toBe(true);
    const times = byTime.changes.map((c) => Date.parse(c.time));
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(startedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The same three from the cursor of the page read before them.
    const byCursor = await queryData(graphqlUrl, ChangesDocument, {
      filter,
      since: before.resources.sequence,
    });
    expect(byCursor.changes.changes.map((c) => c.sequence)).toEqual(byTime.changes.map((c) => c.sequence));

    const { changes } = await queryData(graphqlUrl, DeletedHistoryDocument, { filter, first: 10 });
    const deleted = changes.changes.find((c) => c.type === "DELETED");
    expect(deleted?.resource?.history.map((c) => c.type)).toEqual(["DELETED", "MODIFIED", "ADDED"]);
    const versions = deleted?.resource?.history.map((c) => Number(c.resource?.resourceVersion)) ?? [];
    expect([...versions].sort((a, b) => b - a)).toEqual(versions);
  });

  it("shows the window's length and bytes on /metrics, within the budget", async () => {
    const text = await (await fetch(`${serve.origin}/metrics`)).text();
    const retained = metric(text, "meshsync_change_log_retained_changes");
    const bytes = metric(text, "meshsync_change_log_retained_bytes");
    // The demo's first sync alone is hundreds of ADDED changes, each charged its record.
    expect(retained).toBeGreaterThan(100);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(budget);
  });
});
