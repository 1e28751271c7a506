import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/api/index.js";
import type { KubeObject } from "../../src/kube/types.js";
import { operationCost } from "../../src/server/query-cost.js";
import {
  OrderedPageDocument,
  ResourceByIdentityDocument,
  ResourceChangesDocument,
  ResourceCountsDocument,
  ResourcesDocument,
  ResourceTimesAndSummaryDocument,
} from "../generated/graphql.js";
import { query, queryData, subscribe } from "../support/graphql-client.js";
import {
  cluster,
  configMap,
  configMapType,
  deployment,
  deploymentType,
  pod,
  podType,
  startTestServer,
  type TestServer,
} from "./fixtures.js";

function created(object: KubeObject, at: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, creationTimestamp: at } };
}

describe("the questions an explorer asks, over HTTP", () => {
  let t: TestServer;
  const before = Date.now();

  beforeAll(async () => {
    t = await startTestServer();
    const names = ["delta", "alpha", "charlie", "bravo", "echo"];
    for (const [i, name] of names.entries())
      t.graph.upsert(
        cluster,
        podType,
        created(pod(name, i % 2 === 0 ? "default" : "prod"), `2024-03-0${i + 1}T08:00:00Z`),
      );
    t.graph.upsert(cluster, configMapType, configMap("settings", "default"));
    t.graph.upsert(cluster, deploymentType, deployment("web", "default"));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("reads one object by cluster, apiVersion, kind, namespace and name, and null when absent", async () => {
    const find = (kind: string, namespace: string, name: string) =>
      queryData(t.server.url, ResourceByIdentityDocument, {
        clusterId: cluster.id,
        apiVersion: "v1",
        kind,
        namespace,
        name,
      });
    expect((await find("po", "prod", "alpha")).resource).toMatchObject({
      kind: "Pod",
      namespace: "prod",
      name: "alpha",
    });
    expect((await find("pods", "default", "alpha")).resource).toBeNull();
    const refused = await query(t.server.url, ResourceByIdentityDocument, {
      clusterId: cluster.id,
      apiVersion: "v1",
      kind: "pdo",
      name: "alpha",
    });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(refused.errors?.[0]?.message).toMatch(/^kinds: the server doesn't have a resource type "pdo"/);
  });

  it("counts by kind under a filter, the largest group first", async () => {
    const all = await queryData(t.server.url, ResourceCountsDocument, { by: "KIND" });
    expect(all.resourceCounts).toEqual([
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "Pod", count: 5 },
      { clusterId: null, namespace: null, apiVersion: "apps/v1", kind: "Deployment", count: 1 },
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "ConfigMap", count: 1 },
    ]);
    const prod = await queryData(t.server.url, ResourceCountsDocument, {
      by: "NAMESPACE",
      filter: { annotations: [{ key: "note" }] },
    });
    expect(prod.resourceCounts).toEqual([
      { clusterId: null, namespace: "default", apiVersion: null, kind: null, count: 3 },
      { clusterId: null, namespace: "prod", apiVersion: null, kind: null, count: 2 },
    ]);
  });

  it("sorts by creation time and pages backward from the end", async () => {
    const last = await queryData(t.server.url, OrderedPageDocument, {
      filter: { kinds: ["pods"] },
      orderBy: { field: "CREATED" },
      last: 2,
    });
    expect(last.resources.edges.map((e) => e.node.name)).toEqual(["bravo", "echo"]);
    expect(last.resources.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const earlier = await queryData(t.server.url, OrderedPageDocument, {
      filter: { kinds: ["pods"] },
      orderBy: { field: "CREATED" },
      last: 2,
      before: last.resources.pageInfo.startCursor,
    });
    expect(earlier.resources.edges.map((e) => e.node.name)).toEqual(["alpha", "charlie"]);
    expect(earlier.resources.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const byName = await queryData(t.server.url, OrderedPageDocument, {
      filter: { kinds: ["pods"] },
      orderBy: { field: "NAME", direction: "DESC" },
      first: 3,
    });
    expect(byName.resources.edges.map((e) => e.node.name)).toEqual(["echo", "delta", "charlie"]);
  });

  it("refuses first with last in one clear line", async () => {
    const refused = await query(t.server.url, OrderedPageDocument, { first: 1, last: 1 });
    expect(refused.errors?.map((e) => e.message)).toEqual([
      "first and after page forward, last and before backward: give one pair, not both",
    ]);
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("prices a page read backward as one read forward", () => {
    const cost = (page: string) =>
      operationCost(
        { schema, document: parse(`{ resources(${page}) { edges { node { object } } } }`) },
        { defaultPageSize: 100, maxPageSize: 1000 },
        () => 10,
      );
    expect(cost("last: 700")).toBe(cost("first: 700"));
    expect(cost("last: 700")).toBeGreaterThan(cost("last: 10")!);
  });

  it("gives each object its creation time as the server wrote it, when it was stored, and a summary", async () => {
    const data = await queryData(t.server.url, ResourceTimesAndSummaryDocument, {
      filter: { names: ["alpha", "web", "settings"] },
    });
    const byName = new Map(data.resources.edges.map((e) => [e.node.name, e.node]));
    expect(byName.get("alpha")?.createdAt).toBe("2024-03-02T08:00:00Z");
    expect(byName.get("alpha")?.summary).toEqual({
      phase: "Running",
      ready: false,
      readyReplicas: null,
      desiredReplicas: null,
      restarts: 0,
      reason: null,
    });
    expect(byName.get("web")?.summary).toMatchObject({ ready: true, readyReplicas: 1, desiredReplicas: 1 });
    expect(byName.get("settings")?.summary).toBeNull();
    expect(byName.get("settings")?.createdAt).toBeNull();
    for (const node of byName.values()) {
      const stored = Date.parse(node.lastChangedAt);
      expect(stored).toBeGreaterThanOrEqual(before);
      expect(stored).toBeLessThanOrEqual(Date.now());
    }
  });

  it("moves lastChangedAt with a new version, and keeps it for a replay of the one held", async () => {
    const read = async () =>
      (await queryData(t.server.url, ResourceTimesAndSummaryDocument, { filter: { names: ["settings"] } }))
        .resources.edges[0]!.node.lastChangedAt;
    const first = await read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    t.graph.upsert(cluster, configMapType, configMap("settings", "default"));
    expect(await read()).toBe(first);
    t.graph.upsert(cluster, configMapType, configMap("settings", "default", "2"));
    expect(Date.parse(await read())).toBeGreaterThan(Date.parse(first));
  });

  it("narrows a subscription by annotation: an object that loses it leaves, one that gains it comes", async () => {
    const annotated = (name: string, team: string | undefined, rv: string): KubeObject => {
      const object = configMap(name, "default", rv);
      return { ...object, metadata: { ...object.metadata, annotations: team === undefined ? {} : { team } } };
    };
    // From a page's sequence, so that every change after it arrives whenever the socket opens.
    const { sequence } = (await queryData(t.server.url, ResourcesDocument, { first: 0 })).resources;
    const changes = subscribe(t.server.url, ResourceChangesDocument, {
      filter: { annotations: [{ key: "team", value: "blue" }] },
      since: sequence,
    });
    try {
      t.graph.upsert(cluster, configMapType, annotated("team-cm", "blue", "10"));
      t.graph.upsert(cluster, configMapType, annotated("other-cm", "red", "10"));
      t.graph.upsert(cluster, configMapType, annotated("team-cm", "red", "11"));
      t.graph.upsert(cluster, configMapType, annotated("other-cm", "blue", "11"));
      const events = (await changes.take(3)).map((e) => [
        e.resourceChanges.type,
        e.resourceChanges.resource?.name,
      ]);
      expect(events).toEqual([
        ["ADDED", "team-cm"],
        ["DELETED", "team-cm"],
        ["ADDED", "other-cm"],
      ]);
    } finally {
      await changes.close();
    }
  });
});
