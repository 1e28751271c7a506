// Meshery's GraphQL, end to end: `meshsync sim` and `meshsync serve --token` as processes, and the
// operations older Meshery UIs send (meshery/meshery ui/components/graphql/) at Meshery's path
// /api/system/graphql/query, over HTTP and over graphql-ws with the token in a cookie and no
// connectionParams, as Meshery's UI connects; answers checked against what the simulator holds.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { eventually } from "@meshsync/testing";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, type Subscription, subscribe } from "../support/graphql-client.js";
import { type SimAndServe, startSimAndServe } from "../support/processes.js";
import { simRequest } from "../support/sim-request.js";

const token = "meshery-e2e-token";
const cookie = { headers: { cookie: `meshsync_token=${token}` } };

type Data = Record<string, unknown>;
const doc = (text: string) => parse(text) as TypedDocumentNode<Data, Record<string, unknown>>;

const clusterResourcesQuery =
  doc(`query ClusterResourcesQuery($k8scontextIDs: [String!], $namespace: String!) {
  clusterResources: getClusterResources(k8scontextIDs: $k8scontextIDs, namespace: $namespace) { resources { kind count } }
}`);
const namespaceQuery = doc(`query NamespaceQuery($k8sClusterIDs: [String!]) {
  namespaces: getAvailableNamespaces(k8sClusterIDs: $k8sClusterIDs) { namespace }
}`);
const meshsyncStatusQuery = doc(`query MeshsyncStatusQuery($connectionID: String!) {
  controller: getMeshsyncStatus(connectionID: $connectionID) { name version status }
}`);
const resetDatabaseQuery = doc(`query ResetDatabaseQuery($selector: ReSyncActions!, $k8scontextID: String!) {
  resetStatus: resyncCluster(selector: $selector, k8scontextID: $k8scontextID)
}`);
const meshSyncEvents =
  doc(`subscription MeshSyncEventsSubscription($connectionIDs: [String!], $eventTypes: [MeshSyncEventType!]) {
  meshsyncevents: subscribeMeshSyncEvents(connectionIDs: $connectionIDs, eventTypes: $eventTypes) { type object connectionID }
}`);
const olderMeshSyncEvents = doc(`subscription MeshSyncEventsSubscription($k8scontextIDs: [String!]) {
  meshsyncevents: subscribeMeshSyncEvents(k8scontextIDs: $k8scontextIDs) { type object contextId }
}`);
const clusterResourcesSubscription =
  doc(`subscription ClusterResourcesSubscription($k8scontextIDs: [String!], $namespace: String!) {
  clusterResources: subscribeClusterResources(k8scontextIDs: $k8scontextIDs, namespace: $namespace) { resources { kind count } }
}`);

let processes: SimAndServe;
let mesheryUrl: string;
let cluster: { id: string; name: string };
const open: Subscription<Data>[] = [];

const sim = (method: string, path: string, body?: unknown) =>
  simRequest(processes.sim.origin, method, path, body);

async function mesheryQuery(document: TypedDocumentNode<Data, Record<string, unknown>>, variables: Data) {
  const result = await query(mesheryUrl, document, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data as Data;
}

function mesherySubscribe(document: TypedDocumentNode<Data, Record<string, unknown>>, variables: Data) {
  const subscription = subscribe(mesheryUrl, document, variables, cookie);
  open.push(subscription);
  return subscription;
}

async function itemsOf(path: string): Promise<Record<string, unknown>[]> {
  return (await sim("GET", path)).items as Record<string, unknown>[];
}

/** Subscriptions the server runs now, from its /metrics. */
async function activeSubscriptions(): Promise<number> {
  const response = await fetch(`${processes.serve.origin}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const match = /^meshsync_subscriptions_active (\d+)$/m.exec(await response.text());
  if (match === null) throw new Error("no meshsync_subscriptions_active in /metrics");
  return Number(match[1]);
}

/** The configmap's name out of a MeshSync KubernetesResource. */
function nameOf(object: unknown): string | undefined {
  return (object as { metadata?: { name?: string } } | null)?.metadata?.name;
}

beforeAll(async () => {
  processes = await startSimAndServe([], ["--token", token]);
  mesheryUrl = `${processes.serve.origin}/api/system/graphql/query`;
  const clusters = await query(processes.graphqlUrl, doc("{ clusters { id name } }"), {}, token);
  const listed = (clusters.data?.clusters ?? []) as { id: string; name: string }[];
  if (listed[0] === undefined) throw new Error(`no cluster: ${JSON.stringify(clusters.errors)}`);
  cluster = listed[0];
}, 90_000);

afterAll(async () => {
  for (const subscription of open) await subscription.close().catch(() => {});
  await processes?.stop();
});

describe("Meshery's GraphQL at /api/system/graphql/query", () => {
  it("is behind the same token as /graphql", async () => {
    const result = await query(mesheryUrl, namespaceQuery, { k8sClusterIDs: [cluster.id] });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("counts the objects per kind as the simulator holds them", async () => {
    const data = await mesheryQuery(clusterResourcesQuery, {
      k8scontextIDs: [cluster.id],
      namespace: "default",
    });
    const resources = (data.clusterResources as { resources: { kind: string; count: number }[] }).resources;
    for (const resource of resources) {
      expect(typeof resource.kind).toBe("string");
      expect(Number.isInteger(resource.count) && resource.count > 0).toBe(true);
    }
    const count = (kind: string) => resources.find((r) => r.kind === kind)?.count;
    expect(count("Namespace")).toBe((await itemsOf("/api/v1/namespaces")).length);
    expect(count("Node")).toBe((await itemsOf("/api/v1/nodes")).length);
    const configMaps = (await itemsOf("/api/v1/namespaces/default/configmaps")).length;
    expect(count("ConfigMap")).toBe(configMaps === 0 ? undefined : configMaps);
  });

  it("lists the namespaces the simulator has, and reports MeshSync enabled", async () => {
    const data = await mesheryQuery(namespaceQuery, { k8sClusterIDs: [cluster.id] });
    const names = (await itemsOf("/api/v1/namespaces")).map((ns) => (ns.metadata as { name: string }).name);
    expect(data.namespaces).toEqual(names.sort().map((namespace) => ({ namespace })));
    const status = await mesheryQuery(meshsyncStatusQuery, { connectionID: cluster.name });
    expect(status.controller).toMatchObject({ name: "meshsync", status: "ENABLED" });
    expect(typeof (status.controller as { version: unknown }).version).toBe("string");
  });

  it("streams a change made in the simulator over graphql-ws, under the recent and the older spelling", async () => {
    const before = await activeSubscriptions();
    const recent = mesherySubscribe(meshSyncEvents, {
      connectionIDs: [cluster.id],
      eventTypes: ["ADDED", "DELETED"],
    });
    const older = mesherySubscribe(olderMeshSyncEvents, { k8scontextIDs: [cluster.name] });
    const name = `meshery-e2e-${Date.now()}`;
    // Both are running once the server counts them: the change below is then live for them.
    await eventually(
      async () => (await activeSubscriptions()) >= before + 2,
      20_000,
      "the subscriptions are running",
    );
    await sim("POST", "/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, labels: { app: "meshery-e2e" } },
      data: { key: "value" },
    });
    let added: Data | undefined;
    while (added === undefined) {
      const event = (await recent.next(10_000)).meshsyncevents as Data;
      if (nameOf(event.object) === name) added = event;
    }
    expect(added.type).toBe("ADDED");
    expect(added.connectionID).toBe(cluster.id);
    const object = added.object as Record<string, unknown>;
    expect(object).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", cluster_id: cluster.id });
    expect(JSON.parse(object.data as string)).toEqual({ key: "value" });
    expect((object.metadata as { labels: unknown }).labels).toEqual([
      expect.objectContaining({ kind: "label", key: "app", value: "meshery-e2e" }),
    ]);

    let seenByOlder: Data | undefined;
    while (seenByOlder === undefined) {
      const event = (await older.next(10_000)).meshsyncevents as Data;
      if (nameOf(event.object) === name) seenByOlder = event;
    }
    expect(seenByOlder).toMatchObject({ type: "ADDED", contextId: cluster.name });

    await sim("DELETE", `/api/v1/namespaces/default/configmaps/${name}`);
    let deleted: Data | undefined;
    while (deleted === undefined) {
      const event = (await recent.next(10_000)).meshsyncevents as Data;
      if (nameOf(event.object) === name) deleted = event;
    }
    expect(deleted.type).toBe("DELETED");
  }, 60_000);

  it("sends the counts, then new ones after an object comes", async () => {
    const counts = mesherySubscribe(clusterResourcesSubscription, {
      k8scontextIDs: [cluster.id],
      namespace: "default",
    });
    const configMapsIn = (data: Data) =>
      (data.clusterResources as { resources: { kind: string; count: number }[] }).resources.find(
        (r) => r.kind === "ConfigMap",
      )?.count ?? 0;
    const first = configMapsIn(await counts.next(10_000));
    expect(first).toBe((await itemsOf("/api/v1/namespaces/default/configmaps")).length);
    await sim("POST", "/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `meshery-count-${Date.now()}` },
    });
    let latest = first;
    while (latest === first) latest = configMapsIn(await counts.next(10_000));
    expect(latest).toBe(first + 1);
  }, 30_000);

  it("relists on resyncCluster and answers PROCESSING", async () => {
    const data = await mesheryQuery(resetDatabaseQuery, {
      selector: { clearDB: "false", ReSync: "true", hardReset: "false" },
      k8scontextID: cluster.id,
    });
    expect(data.resetStatus).toBe("PROCESSING");
    const unknown = await query(
      mesheryUrl,
      resetDatabaseQuery,
      {
        selector: { clearDB: "false", ReSync: "true", hardReset: "false" },
        k8scontextID: "not-a-cluster",
      },
      token,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
