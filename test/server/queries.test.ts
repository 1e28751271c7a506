import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ApiResourcesDocument,
  ClustersDocument,
  ResourceDetailDocument,
  type ResourceFilter,
  ResourcesDocument,
  type ResourcesQuery,
  ResyncDocument,
} from "../generated/graphql.js";
import { query, queryData } from "../support/graphql-client.js";
import {
  cluster,
  configMap,
  configMapType,
  pod,
  podType,
  startTestServer,
  type TestServer,
} from "./fixtures.js";

describe("queries over HTTP", () => {
  let t: TestServer;
  const resynced: string[] = [];

  beforeAll(async () => {
    t = await startTestServer({
      apiResources: () => [
        { ...podType, clusterId: cluster.id },
        { ...configMapType, clusterId: cluster.id },
        { ...podType, clusterId: "other" },
      ],
      resync: (clusterId) => {
        resynced.push(clusterId);
        return clusterId === cluster.id;
      },
    });
    for (let i = 0; i < 25; i++) {
      const namespace = i % 2 === 0 ? "default" : "kube-system";
      t.graph.upsert(
        cluster,
        podType,
        pod(`pod-${String(i).padStart(2, "0")}`, namespace, { labels: { app: i % 5 === 0 ? "web" : "db" } }),
      );
    }
    for (let i = 0; i < 5; i++) t.graph.upsert(cluster, configMapType, configMap(`cm-${i}`, "default"));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("pages through every object with first/after, with the total on each page", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: ResourcesQuery = await queryData(t.server.url, ResourcesDocument, { first: 7, after });
      pages++;
      expect(data.resources.totalCount).toBe(30);
      seen.push(...data.resources.edges.map((e) => e.node.uid));
      if (!data.resources.pageInfo.hasNextPage) break;
      after = data.resources.pageInfo.endCursor ?? null;
      expect(after).not.toBeNull();
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it("lets a page resume from any edge's cursor", async () => {
    const first = await queryData(t.server.url, ResourcesDocument, { first: 10 });
    const third = first.resources.edges[2]!;
    const resumed = await queryData(t.server.url, ResourcesDocument, { first: 3, after: third.cursor });
    expect(resumed.resources.edges.map((e) => e.node.uid)).toEqual(
      first.resources.edges.slice(3, 6).map((e) => e.node.uid),
    );
  });

  it("reports the change-log sequence the page was read at", async () => {
    const data = await queryData(t.server.url, ResourcesDocument, { first: 1 });
    expect(data.resources.sequence).toBe(t.graph.log.cursor());
  });

  it("filters by kinds, namespaces and label selector", async () => {
    const configMaps = await queryData(t.server.url, ResourcesDocument, { filter: { kinds: ["ConfigMap"] } });
    expect(configMaps.resources.totalCount).toBe(5);
    expect(configMaps.resources.edges.every((e) => e.node.kind === "ConfigMap")).toBe(true);

    const system = await queryData(t.server.url, ResourcesDocument, {
      filter: { namespaces: ["kube-system"] },
    });
    expect(system.resources.totalCount).toBe(12);
    expect(system.resources.edges.every((e) => e.node.namespace === "kube-system")).toBe(true);

    const web = await queryData(t.server.url, ResourcesDocument, {
      filter: { kinds: ["Pod"], namespaces: ["default"], labelSelector: "app in (web)" },
    });
    expect(web.resources.edges.map((e) => e.node.name)).toEqual(["pod-00", "pod-10", "pod-20"]);
    expect(web.resources.edges[0]!.node.labels).toEqual({ app: "web" });
    expect(web.resources.edges[0]!.node.cluster).toEqual(cluster);
  });

  it("takes kinds as kubectl names them, and refuses a kind, apiVersion or cluster that nothing has", async () => {
    for (const kind of ["pods", "pod", "po", "POD", "pods.v1."]) {
      const data = await queryData(t.server.url, ResourcesDocument, { filter: { kinds: [kind] }, first: 0 });
      expect(data.resources.totalCount).toBe(25);
    }
    const refusals: [ResourceFilter, string][] = [
      [{ kinds: ["pdo"] }, 'kinds: the server doesn\'t have a resource type "pdo"; did you mean "Pod"?'],
      [{ apiVersions: ["v2"] }, 'apiVersions: no resource type is served at "v2"; did you mean "v1"?'],
      [{ clusterIds: ["c2-uid"] }, 'clusterIds: no cluster has the id "c2-uid"; did you mean "c1-uid"?'],
    ];
    for (const [filter, message] of refusals) {
      const refused = await query(t.server.url, ResourcesDocument, { filter });
      expect(refused.status).toBe(400);
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors).toEqual([
        expect.objectContaining({ message, extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }),
      ]);
    }
  });

  it("refuses a field label with the fields of the kind filtered, and of every kind without one", async () => {
    const pods = await query(t.server.url, ResourcesDocument, {
      filter: { kinds: ["po"], fieldSelector: "spec.typo=x" },
    });
    expect(pods.errors?.[0]?.message).toMatch(
      /^field selector: field label not supported: spec\.typo; Pod supports metadata\.name, metadata\.namespace, spec\.host, /,
    );
    expect(pods.errors?.[0]?.message).not.toContain("spec.clusterIP");
    const configMaps = await query(t.server.url, ResourcesDocument, {
      filter: { kinds: ["configmaps"], fieldSelector: "status.phase=Running" },
    });
    expect(configMaps.errors?.[0]?.message).toBe(
      "field selector: field label not supported: status.phase; ConfigMap supports metadata.name, metadata.namespace",
    );
    const anyKind = await query(t.server.url, ResourcesDocument, {
      filter: { fieldSelector: "spec.typo=x" },
    });
    expect(anyKind.errors?.[0]?.message).toBe(
      "field selector: field label not supported: spec.typo; every kind has metadata.name and metadata.namespace; name a kind in kinds for the fields it has besides",
    );
    for (const result of [pods, configMaps, anyKind])
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("answers a bad selector or cursor with a clear error, not a crash", async () => {
    const badSelector = await query(t.server.url, ResourcesDocument, {
      filter: { labelSelector: "app in (" },
    });
    expect(badSelector.errors?.[0]?.message).toMatch(/selector|expected|\(/i);
    expect(badSelector.errors?.[0]?.message).not.toBe("Unexpected error.");

    const badCursor = await query(t.server.url, ResourcesDocument, { after: "not-a-cursor" });
    expect(badCursor.errors?.[0]?.message).toMatch(/cursor/);

    const tooMany = await query(t.server.url, ResourcesDocument, { first: 100_000 });
    expect(tooMany.errors?.[0]?.message).toMatch(/first must be between 0 and 1000/);

    const still = await queryData(t.server.url, ResourcesDocument, { first: 1 });
    expect(still.resources.totalCount).toBe(30);
  });

  it("loads any resource by its global id through node(id)", async () => {
    const page = await queryData(t.server.url, ResourcesDocument, { filter: { names: ["pod-03"] } });
    const id = page.resources.edges[0]!.node.id;
    const detail = await queryData(t.server.url, ResourceDetailDocument, { id });
    const node = detail.node;
    if (node === null || node === undefined || !("uid" in node)) throw new Error("expected a Resource");
    expect(node.uid).toBe("uid-kube-system-pod-03");
    expect(node.annotations).toEqual({ note: "pod pod-03" });
    expect(node.ownerReferences).toEqual([
      { kind: "ReplicaSet", name: "rs-1", uid: "rs-uid", controller: true },
    ]);
    expect(node.spec).toMatchObject({ nodeName: "node-1" });
    expect(node.status).toEqual({ phase: "Running" });
    expect(node.object).toMatchObject({ kind: "Pod", metadata: { name: "pod-03" } });

    const missing = await queryData(t.server.url, ResourceDetailDocument, {
      id: Buffer.from("Resource:c1-uid/nope").toString("base64"),
    });
    expect(missing.node).toBeNull();

    const malformed = await query(t.server.url, ResourceDetailDocument, { id: "garbage" });
    expect(malformed.errors?.[0]?.message).toBe('"garbage" is not an id this server issued');
    const foreignType = Buffer.from("Cluster:c1-uid").toString("base64");
    const wrongType = await query(t.server.url, ResourceDetailDocument, { id: foreignType });
    expect(wrongType.errors?.[0]?.message).toBe(`"${foreignType}" is not the id of a Resource`);
  });

  it("lists clusters and the discovered API resources", async () => {
    expect((await queryData(t.server.url, ClustersDocument)).clusters).toEqual([cluster]);
    const all = await queryData(t.server.url, ApiResourcesDocument, {});
    expect(all.apiResources).toHaveLength(3);
    const mine = await queryData(t.server.url, ApiResourcesDocument, { clusterIds: [cluster.id] });
    expect(mine.apiResources.map((r) => r.typeName).sort()).toEqual(["configmaps.v1.", "pods.v1."]);
    expect(mine.apiResources.find((r) => r.kind === "Pod")).toMatchObject({
      apiVersion: "v1",
      namespaced: true,
    });
  });

  it("passes resync to the caller's callback", async () => {
    expect((await queryData(t.server.url, ResyncDocument, { clusterId: cluster.id })).resync).toBe(true);
    expect((await queryData(t.server.url, ResyncDocument, { clusterId: "unknown" })).resync).toBe(false);
    expect(resynced).toEqual([cluster.id, "unknown"]);
  });
});

describe("a list over a large graph", () => {
  let t: TestServer;

  beforeAll(async () => {
    // A budget no query reaches, so that a scan slow enough to watch is admitted.
    t = await startTestServer({ limits: { maxCost: Number.MAX_SAFE_INTEGER } });
    for (let i = 0; i < 20_000; i++) t.graph.upsert(cluster, podType, pod(`p${i}`, `ns-${i % 50}`));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("answers other requests while it scans, and then its own", async () => {
    const selector = Array.from({ length: 100 }, (_, i) => `!absent-${i}`).join(",");
    let scanStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      scanStarted = resolve;
    });
    const listInSlices = t.graph.listInSlices.bind(t.graph);
    const spy = vi.spyOn(t.graph, "listInSlices").mockImplementation((...args) => {
      const page = listInSlices(...args);
      scanStarted();
      return page;
    });
    try {
      const order: string[] = [];
      const slow = fetch(t.server.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `query Slow($s: String) { a: resources(filter: { labelSelector: $s }) { totalCount }
            b: resources(filter: { labelSelector: $s }) { totalCount } }`,
          variables: { s: selector },
        }),
      }).then(async (response) => {
        order.push("list");
        return (await response.json()) as { data: { a: { totalCount: number } } };
      });
      await started;
      const healthz = fetch(`${t.server.origin}/healthz`).then((response) => {
        order.push("healthz");
        return response.status;
      });
      expect(await healthz).toBe(200);
      expect((await slow).data.a.totalCount).toBe(20_000);
      expect(order).toEqual(["healthz", "list"]);
    } finally {
      spy.mockRestore();
    }
  });
});
