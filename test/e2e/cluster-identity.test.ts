// The API server goes away, end to end: `meshsync sim` and `meshsync serve` as real processes. When
// the same cluster comes back, serve says so once each way and tells the truth meanwhile (GraphQL,
// /readyz, metrics). When another cluster comes back at the same address, with churn running, the
// graph sheds the old cluster (a subscriber sees each object go) and holds exactly the new one.
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  ApiResourcesDocument,
  ClusterHealthDocument,
  type ClusterHealthQuery,
  ResourcesDocument,
  TypePositionsDocument,
} from "../generated/graphql.js";
import {
  ChangeFollower,
  changeLogEpoch,
  difference,
  graphState,
  type State,
} from "../support/change-follower.js";
import { query, queryData } from "../support/graphql-client.js";
import { logLines, type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
});

async function sim(args: string[]): Promise<RunningProcess> {
  const started = await startMeshsync(["sim", ...args]);
  running.push(started);
  return started;
}

/** Kills a process outright, as a crashed API server goes: no clean end for its streams. */
async function kill(process: RunningProcess): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    process.child.once("exit", () => resolve());
    process.child.kill("SIGKILL");
  });
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function kubeSystemUid(apiServer: RunningProcess): Promise<string> {
  const namespace = await getJson(`${apiServer.origin}/api/v1/namespaces/kube-system`);
  return String((namespace.metadata as { uid: string }).uid);
}

async function startServe(
  kubeconfig: string,
  token?: string,
): Promise<{ serve: RunningProcess; graphqlUrl: string }> {
  const serve = await startMeshsync([
    "serve",
    "--port",
    "0",
    "--kubeconfig",
    kubeconfig,
    ...(token === undefined ? [] : ["--token", token]),
  ]);
  running.push(serve);
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  await eventually(
    async () => (await fetch(`${serve.origin}/readyz`, { headers })).status === 200,
    30_000,
    "serve ready",
  );
  return { serve, graphqlUrl: `${serve.origin}/graphql` };
}

function collectionPath(apiVersion: string, resource: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}/${resource}` : `/api/${apiVersion}/${resource}`;
}

/**
 * Each watched type of the cluster compared with the API server at exactly the resourceVersion
 * serve holds it at: with churn running there is no quiet moment, but a type read while its
 * position stayed put is the server's state at that position, which the server can list exactly.
 */
async function typesDifferingFromServer(
  graphqlUrl: string,
  apiServer: RunningProcess,
  clusterId: string,
): Promise<string[]> {
  const { apiResources } = await queryData(graphqlUrl, ApiResourcesDocument, { clusterIds: [clusterId] });
  if (apiResources.length < 10) return [`only ${apiResources.length} types watched yet`];
  const positions = async () =>
    new Map(
      (await queryData(graphqlUrl, TypePositionsDocument, {})).syncStatus
        .filter((s) => s.clusterId === clusterId)
        .map((s) => [s.typeName, s.synced ? s.resourceVersion : ""]),
    );
  const problems: string[] = [];
  let compared = 0;
  for (const type of apiResources) {
    const at = (await positions()).get(type.typeName);
    if (!at) {
      problems.push(`${type.typeName} not synced`);
      continue;
    }
    const held = await graphState(graphqlUrl, {
      clusterIds: [clusterId],
      apiVersions: [type.apiVersion],
      kinds: [type.kind],
    });
    if ((await positions()).get(type.typeName) !== at) continue; // moved while read: next round
    const list = await getJson(
      `${apiServer.origin}${collectionPath(type.apiVersion, type.resource)}?resourceVersion=${at}&resourceVersionMatch=Exact`,
    );
    const truth: State = new Map(
      (list.items as { metadata: { uid: string; resourceVersion: string } }[]).map((item) => [
        item.metadata.uid,
        item.metadata.resourceVersion,
      ]),
    );
    problems.push(...difference(truth, held).map((d) => `${type.typeName}@${at}: ${d}`));
    compared += 1;
  }
  if (compared < apiResources.length / 2)
    problems.push(`only ${compared} types held still long enough to compare`);
  return problems;
}

describe("meshsync serve when its API server goes away", () => {
  it("notices the cluster that comes back as another, with churn running: the graph is the new cluster's within 60 s", async () => {
    const kubeconfig = join(tempDir("meshsync-identity-"), "kubeconfig");
    const first = await sim(["--port", "0", "--kubeconfig-out", kubeconfig, "--seed", "21"]);
    await eventually(async () => first.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
    const port = new URL(first.origin).port;
    const firstId = await kubeSystemUid(first);
    const { graphqlUrl } = await startServe(kubeconfig);
    expect((await queryData(graphqlUrl, ClusterHealthDocument)).clusters.map((c) => c.id)).toEqual([firstId]);
    const firstObjects = await graphState(graphqlUrl);
    expect(firstObjects.size).toBeGreaterThan(100);
    const follower = new ChangeFollower(graphqlUrl, await changeLogEpoch(graphqlUrl));
    running.push({ stop: () => follower.close() });
    await eventually(
      async () => follower.state.size === firstObjects.size,
      30_000,
      "the follower to catch up",
    );

    await kill(first);
    const second = await sim(["--port", port, "--seed", "22", "--churn", "20"]);
    const answeringAt = Date.now();
    const secondId = await kubeSystemUid(second);
    expect(secondId).not.toBe(firstId);

    let clusters: ClusterHealthQuery["clusters"] = [];
    let problems: string[] = [];
    await eventually(
      async () => {
        clusters = (await queryData(graphqlUrl, ClusterHealthDocument)).clusters;
        if (clusters.length !== 1 || clusters[0]?.id !== secondId) return false;
        problems = await typesDifferingFromServer(graphqlUrl, second, secondId);
        return problems.length === 0;
      },
      60_000,
      "the graph to equal the new cluster",
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\nclusters: ${JSON.stringify(clusters)}\n${problems.slice(0, 10).join("\n")}`,
      );
    });
    expect(Date.now() - answeringAt).toBeLessThan(60_000);
    const { clusters: now } = await queryData(graphqlUrl, ClusterHealthDocument);
    expect(now).toEqual([expect.objectContaining({ id: secondId, reachable: true, synced: true })]);
    // Nothing of the old cluster is left, under any type: the graph no longer knows its id at all.
    const old = await query(graphqlUrl, ResourcesDocument, { filter: { clusterIds: [firstId] }, first: 1 });
    expect(old.errors?.map((error) => error.message)).toEqual([
      expect.stringContaining(`no cluster has the id "${firstId}"`),
    ]);

    // The subscriber saw every old object go, and holds none of them now.
    await eventually(
      async () => [...firstObjects.keys()].every((uid) => follower.deleted.has(uid)),
      10_000,
      "a DELETED change for every old object",
    );
    expect([...firstObjects.keys()].filter((uid) => follower.state.has(uid))).toEqual([]);
    expect(follower.problems).toEqual([]);
  }, 120_000);

  it("says once that the cluster is lost and once that it is back, and tells the truth meanwhile", async () => {
    const token = "readyz-token";
    const kubeconfig = join(tempDir("meshsync-lost-"), "kubeconfig");
    const first = await sim(["--port", "0", "--kubeconfig-out", kubeconfig, "--seed", "31"]);
    await eventually(async () => first.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
    const port = new URL(first.origin).port;
    const id = await kubeSystemUid(first);
    const { serve, graphqlUrl } = await startServe(kubeconfig, token);
    const auth = { authorization: `Bearer ${token}` };
    // A watch that ends within a second of opening looks like a server refusing to watch, which each
    // type reports itself; these have been open longer.
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    await kill(first);
    const lostAt = Date.now();
    await eventually(
      async () =>
        (await queryData(graphqlUrl, ClusterHealthDocument, {}, token)).clusters[0]?.reachable === false,
      15_000,
      "the cluster reported unreachable",
    );
    // Long enough for each type to have retried many times at its own pace, had it still been retrying.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lostAt + 6_000 - Date.now())));

    const [lost] = (await queryData(graphqlUrl, ClusterHealthDocument, {}, token)).clusters;
    expect(lost).toMatchObject({ id, reachable: false, synced: true });
    expect(lost?.lastError).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    expect(Date.parse(lost?.since ?? "")).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(lost?.lastContact ?? "")).toBeLessThanOrEqual(Date.parse(lost?.since ?? ""));

    const readyz = await fetch(`${serve.origin}/readyz`, { headers: auth });
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({
      status: "degraded",
      clusters: [{ id, reachable: false, synced: true }],
    });
    const anonymous = await (await fetch(`${serve.origin}/readyz`)).text();
    expect(JSON.parse(anonymous)).toEqual({
      status: "degraded",
      reason: "a cluster does not answer or is being listed; serving its last known state",
    });
    expect(anonymous).not.toContain(port);
    const metrics = await (await fetch(`${serve.origin}/metrics`, { headers: auth })).text();
    expect(metrics).toContain(`meshsync_cluster_reachable{cluster="${id}"} 0`);
    expect(metrics).toMatch(new RegExp(`meshsync_cluster_last_contact_seconds\\{cluster="${id}"\\} \\d+`));

    expect(
      logLines(serve, "cluster unreachable; serving its last known state until it answers again"),
    ).toHaveLength(1);
    expect(logLines(serve, "list/watch failed; retrying")).toEqual([]);

    await sim(["--port", port, "--seed", "31"]);
    await eventually(
      async () =>
        (await queryData(graphqlUrl, ClusterHealthDocument, {}, token)).clusters[0]?.reachable === true,
      30_000,
      "the cluster reported back",
    );
    expect(logLines(serve, "cluster reachable again")).toHaveLength(1);
    await eventually(
      async () =>
        ((await (await fetch(`${serve.origin}/readyz`, { headers: auth })).json()) as { status: string })
          .status === "ready",
      30_000,
      "readyz to say ready again",
    );
    expect((await queryData(graphqlUrl, ClusterHealthDocument, {}, token)).clusters.map((c) => c.id)).toEqual(
      [id],
    );
  }, 90_000);
});
