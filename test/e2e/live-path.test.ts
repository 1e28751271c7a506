// The first live path, end to end: `meshsync sim` and `meshsync serve` as real processes, talking
// over real sockets, checked against what the simulator itself and kubectl say.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiResourcesDocument,
  ResourceChangesDocument,
  ResourcesDocument,
  type ResourcesQuery,
  SyncStatusDocument,
} from "../generated/graphql.js";
import { queryData, subscribe } from "../support/graphql-client.js";
import {
  type RunningProcess,
  type SimAndServe,
  startMeshsync,
  startSimAndServe,
  tempDir,
} from "../support/processes.js";
import { simRequest as requestSim } from "../support/sim-request.js";

const run = promisify(execFile);

let processes: SimAndServe;
let sim: RunningProcess;
let serve: RunningProcess;
let graphqlUrl: string;
let kubeconfig: string;

const simRequest = (method: string, path: string, body?: unknown, contentType?: string) =>
  requestSim(sim.origin, method, path, body, contentType);

function collectionPath(apiVersion: string, resource: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}/${resource}` : `/api/${apiVersion}/${resource}`;
}

/** Every uid the graph holds, read page by page through the public API. */
async function graphUids(
  filter: Record<string, unknown> = {},
): Promise<{ uids: string[]; totalCount: number }> {
  const uids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const page: ResourcesQuery = await queryData(graphqlUrl, ResourcesDocument, {
      filter,
      first: 500,
      after,
    });
    totalCount = page.resources.totalCount;
    uids.push(...page.resources.edges.map((e) => e.node.uid));
    if (!page.resources.pageInfo.hasNextPage) break;
    after = page.resources.pageInfo.endCursor ?? null;
  }
  return { uids, totalCount };
}

beforeAll(async () => {
  processes = await startSimAndServe(["--scenario", "demo", "--seed", "7"]);
  ({ sim, serve, graphqlUrl, kubeconfig } = processes);
});

afterAll(async () => {
  await processes?.stop();
});

describe("meshsync serve against meshsync sim", () => {
  it("holds exactly the objects the simulator holds for every watched type", async () => {
    const { apiResources } = await queryData(graphqlUrl, ApiResourcesDocument, {});
    expect(apiResources.length).toBeGreaterThan(10);
    const simUids: string[] = [];
    for (const type of apiResources) {
      const list = await simRequest("GET", collectionPath(type.apiVersion, type.resource));
      for (const item of list.items as { metadata: { uid: string } }[]) simUids.push(item.metadata.uid);
    }
    const graph = await graphUids();
    expect(graph.totalCount).toBe(simUids.length);
    expect(new Set(graph.uids)).toEqual(new Set(simUids));
    expect(graph.uids.length).toBe(new Set(graph.uids).size);
  });

  it("streams ADDED, MODIFIED and DELETED after the query's sequence, in order, without gap or duplicate", async () => {
    const filter = { kinds: ["ConfigMap"], namespaces: ["default"] };
    const before = await queryData(graphqlUrl, ResourcesDocument, { filter, first: 1 });
    const since = before.resources.sequence;
    const name = `e2e-${Date.now()}`;
    // The create happens before the subscription opens: it must arrive from the retained backlog.
    await simRequest("POST", "/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, labels: { test: "e2e" } },
      data: { step: "1" },
    });
    await eventually(
      async () => (await graphUids({ ...filter, names: [name] })).totalCount === 1,
      10_000,
      "create synced",
    );
    const subscription = subscribe(graphqlUrl, ResourceChangesDocument, { filter, since });
    try {
      const added = await subscription.next();
      await simRequest(
        "PATCH",
        `/api/v1/namespaces/default/configmaps/${name}`,
        { data: { step: "2" } },
        "application/merge-patch+json",
      );
      const modified = await subscription.next();
      await simRequest("DELETE", `/api/v1/namespaces/default/configmaps/${name}`);
      const deleted = await subscription.next();
      const events = [added, modified, deleted].map((e) => e.resourceChanges);
      expect(events.map((e) => [e.type, e.resource?.name])).toEqual([
        ["ADDED", name],
        ["MODIFIED", name],
        ["DELETED", name],
      ]);
      // With no churn, nothing else changed in default's ConfigMaps: the sequences follow the
      // query's one by one.
      const position = (cursor: string) => Number(cursor.slice(cursor.lastIndexOf(":") + 1));
      const start = position(since);
      expect(events.map((e) => position(e.sequence))).toEqual(
        [start + 1, start + 2, start + 3].map((n) => expect.any(Number) && n),
      );
      const rvs = events.map((e) => Number(e.resource?.resourceVersion));
      expect(rvs[0]).toBeLessThan(rvs[1]!);
      expect(rvs[1]).toBeLessThanOrEqual(rvs[2]!);
    } finally {
      await subscription.close();
    }
  });

  it("reports every watched type synced, over GraphQL and on /metrics", async () => {
    const { syncStatus } = await queryData(graphqlUrl, SyncStatusDocument, {});
    const { apiResources } = await queryData(graphqlUrl, ApiResourcesDocument, {});
    expect(syncStatus.map((s) => s.typeName).sort()).toEqual(apiResources.map((r) => r.typeName).sort());
    for (const status of syncStatus) {
      expect(status, status.typeName).toMatchObject({ phase: "watching", synced: true, error: null });
    }
    const pods = syncStatus.find((s) => s.typeName === "pods.v1.");
    const graphPods = await graphUids({ kinds: ["Pod"] });
    expect(pods?.objectCount).toBe(graphPods.totalCount);
    const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`meshsync_sync_objects\\{[^}]*type="pods\\.v1\\."[^}]*\\} ${graphPods.totalCount}`),
    );
  });

  it("agrees with kubectl on the pods", async (context) => {
    try {
      await run("kubectl", ["version", "--client"]);
    } catch {
      context.skip("kubectl is not installed");
    }
    const { stdout } = await run("kubectl", [
      "--kubeconfig",
      kubeconfig,
      "--cache-dir",
      tempDir("kubectl-cache-"),
      "get",
      "pods",
      "--all-namespaces",
      "-o",
      "json",
    ]);
    const kubectlPods = (JSON.parse(stdout) as { items: { metadata: { uid: string } }[] }).items.map(
      (p) => p.metadata.uid,
    );
    expect(kubectlPods.length).toBeGreaterThan(0);
    const graph = await graphUids({ kinds: ["Pod"] });
    expect(new Set(graph.uids)).toEqual(new Set(kubectlPods));
  });
});

describe("meshsync sim --fault", () => {
  it("answers with the injected failure first, then normally, and refuses a bad fault clearly", async () => {
    const faulty = await startMeshsync([
      "sim",
      "--port",
      "0",
      "--scenario",
      "empty",
      "--fault",
      '{"action":"fail","status":503,"count":2}',
    ]);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${faulty.origin}/api/v1/namespaces`)).status);
      expect(statuses).toEqual([503, 503, 200]);
    } finally {
      await faulty.stop();
    }
    await expect(startMeshsync(["sim", "--port", "0", "--fault", "{bad"])).rejects.toThrow(
      /--fault: not JSON/,
    );
  });
});
