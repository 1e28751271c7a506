// Bad data from the API server, end to end: lines that are not JSON, objects without metadata or uid,
// an object of a kind the stream does not carry, and a 2 MB object reach a running `meshsync serve`
// through the simulator's watch streams. Each bad one is skipped and counted, the good ones are kept,
// and the process goes on syncing.

import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourcesDocument, SyncStatusDocument } from "../generated/graphql.js";
import { queryData } from "../support/graphql-client.js";
import { type RunningProcess, type SimAndServe, startSimAndServe } from "../support/processes.js";

let processes: SimAndServe;
let sim: RunningProcess;
let serve: RunningProcess;
let graphqlUrl: string;

async function simPost(path: string, body: unknown, contentType = "application/json"): Promise<Response> {
  return fetch(`${sim.origin}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: JSON.stringify(body),
  });
}

async function configMapNames(): Promise<string[]> {
  const page = await queryData(graphqlUrl, ResourcesDocument, {
    filter: { kinds: ["ConfigMap"], namespaces: ["default"] },
    first: 100,
  });
  return page.resources.edges.map((e) => e.node.name);
}

async function configMapSkips(): Promise<number> {
  const { syncStatus } = await queryData(graphqlUrl, SyncStatusDocument, {});
  return syncStatus.find((s) => s.typeName === "configmaps.v1.")?.skipped ?? -1;
}

beforeAll(async () => {
  processes = await startSimAndServe(["--scenario", "small"]);
  ({ sim, serve, graphqlUrl } = processes);
});

afterAll(async () => {
  await processes?.stop();
});

describe("bad data from the API server", () => {
  it("skips and counts each bad watch line, keeps a 2 MB object, and goes on syncing", async () => {
    const before = await configMapSkips();
    const inject = (fault: Record<string, unknown>) =>
      simPost("/sim/faults", { action: "inject", resource: "configmaps", ...fault });
    const injected = [
      await inject({ raw: "this line is not JSON {" }),
      await inject({ event: { type: "ADDED", object: { apiVersion: "v1", kind: "ConfigMap" } } }),
      await inject({
        event: {
          type: "ADDED",
          object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "no-uid", namespace: "default" } },
        },
      }),
      await inject({
        event: {
          type: "ADDED",
          object: {
            apiVersion: "v1",
            kind: "Mystery",
            metadata: { name: "odd", namespace: "default", uid: "odd-uid", resourceVersion: "1" },
          },
        },
      }),
    ];
    for (const response of injected) expect(response.status).toBe(200);
    await eventually(async () => (await configMapSkips()) >= before + 4, 10_000, "four lines skipped");

    const big = await simPost("/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "two-megabytes" },
      data: { blob: "x".repeat(2 * 1024 * 1024) },
    });
    expect(big.status).toBe(201);
    await simPost("/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "after-the-bad-data" },
    });
    await eventually(
      async () => {
        const names = await configMapNames();
        return names.includes("two-megabytes") && names.includes("after-the-bad-data");
      },
      15_000,
      "good objects synced after the bad ones",
    );
    const names = await configMapNames();
    expect(names).not.toContain("no-uid");
    expect(names).not.toContain("odd");
    expect(serve.child.exitCode).toBeNull();
    expect(serve.output()).toMatch(/not JSON|skipp/i);
  });
});
