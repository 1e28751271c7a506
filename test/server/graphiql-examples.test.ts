// The operations GraphiQL opens on: valid against the schema, named as their tabs, and answering
// with rows through the server's limits, the subscription resuming from the query's sequence.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, Kind, type OperationDefinitionNode, parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/api/index.js";
import {
  changesSinceExample,
  countsByKindExample,
  type ExampleTab,
  exampleTabs,
  followChangesExample,
  historyExample,
  labelSelectorExample,
  newTabQuery,
  sortedPageExample,
  syncStatusExample,
  topologyExample,
  workloadsExample,
} from "../../src/server/graphiql/index.js";
import { object, types } from "../graph/relations/objects.js";
import { queryData, subscribe } from "../support/graphql-client.js";
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

type Data = Record<string, unknown>;
type Variables = Record<string, unknown>;

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  expect(operations).toHaveLength(1);
  return operations[0]!;
}

function documentOf(tab: ExampleTab): TypedDocumentNode<Data, Variables> {
  return parse(tab.query) as TypedDocumentNode<Data, Variables>;
}

function variablesOf(tab: ExampleTab): Variables {
  return tab.variables === "" ? {} : (JSON.parse(tab.variables) as Variables);
}

interface Page {
  resources: { totalCount: number; sequence: string; edges: { node: Data }[] };
}

describe("GraphiQL's example operations", () => {
  it.each([...exampleTabs.map((tab) => [tab.title, tab.query] as const), ["new tab", newTabQuery] as const])(
    "%s validates against the schema",
    (_title, query) => {
      expect(validate(schema, parse(query)).map((error) => error.message)).toEqual([]);
    },
  );

  it("opens on workloads, a label selector, a topology, sync status, counts, a sorted page, history and a resumed subscription", () => {
    expect(exampleTabs.map((tab) => [tab.title, operationOf(documentOf(tab)).operation])).toEqual([
      ["Workloads", "query"],
      ["ByLabel", "query"],
      ["Topology", "query"],
      ["SyncStatus", "query"],
      ["CountsByKind", "query"],
      ["NewestPods", "query"],
      ["History", "query"],
      ["ChangesSince", "query"],
      ["FollowChanges", "subscription"],
    ]);
  });

  it("names each tab as GraphiQL will: after its operation", () => {
    for (const tab of exampleTabs) expect(operationOf(documentOf(tab)).name?.value).toBe(tab.title);
  });

  it("fills the variables pane with JSON naming only the operation's variables", () => {
    for (const tab of exampleTabs) {
      const declared = (operationOf(documentOf(tab)).variableDefinitions ?? []).map(
        (v) => v.variable.name.value,
      );
      expect(declared).toEqual(expect.arrayContaining(Object.keys(variablesOf(tab))));
    }
  });

  it("writes nothing that could end the page's script element early", () => {
    for (const tab of exampleTabs) expect(`${tab.query}${tab.variables}`).not.toContain("</");
  });
});

describe("GraphiQL's example operations against a server", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
    t.graph.upsert(cluster, podType, pod("web-1", "default", { labels: { app: "frontend" } }));
    t.graph.upsert(cluster, podType, pod("pay-1", "payments", { labels: { app: "payments-api" } }));
    t.graph.upsert(cluster, podType, pod("batch-1", "default", { labels: { app: "batch" } }));
    t.graph.upsert(cluster, deploymentType, deployment("web", "default"));
    // The History tab's Deployment, changed once.
    const podinfo = deployment("podinfo", "default");
    t.graph.upsert(cluster, deploymentType, podinfo);
    t.graph.upsert(cluster, deploymentType, {
      ...podinfo,
      metadata: { ...podinfo.metadata, resourceVersion: "2" },
      status: { readyReplicas: 2 },
    });
  });

  afterAll(async () => {
    await t.server.close();
  });

  /** The example as GraphiQL sends it: its document with the variables pane's JSON. */
  function runExample<TData = Data>(tab: ExampleTab): Promise<TData> {
    return queryData(t.server.url, documentOf(tab), variablesOf(tab)) as Promise<TData>;
  }

  it("Workloads lists the namespace's Deployments and Pods with their status", async () => {
    const data = await runExample<Page>(workloadsExample);
    expect(data.resources.totalCount).toBe(4);
    expect(
      data.resources.edges.map((edge) => [edge.node.kind, edge.node.namespace, edge.node.name]).sort(),
    ).toEqual([
      ["Deployment", "default", "podinfo"],
      ["Deployment", "default", "web"],
      ["Pod", "default", "batch-1"],
      ["Pod", "default", "web-1"],
    ]);
    const batch = data.resources.edges.find((edge) => edge.node.name === "batch-1");
    expect(batch?.node.status).toEqual({ phase: "Running" });
  });

  it("ByLabel finds matching objects in every namespace and no others", async () => {
    const data = await runExample<Page>(labelSelectorExample);
    expect(data.resources.edges.map((edge) => edge.node.name)).toEqual(["web-1", "pay-1"]);
  });

  it("Topology walks from a Deployment through its ReplicaSet to its Pods, their Node and Service", async () => {
    const owner = (kind: string, name: string, uid: string) => [
      { kind, apiVersion: "apps/v1", name, uid, controller: true },
    ];
    t.graph.upsert(cluster, types.nodes, object("nodes", { name: "node-1" }));
    t.graph.upsert(
      cluster,
      types.replicasets,
      object("replicasets", {
        name: "podinfo-6b8",
        uid: "rs-podinfo",
        // The History tab's Deployment, as the server's fixtures name its uid.
        owners: owner("Deployment", "podinfo", "uid-deploy-default-podinfo"),
      }),
    );
    t.graph.upsert(
      cluster,
      types.pods,
      object(
        "pods",
        {
          name: "podinfo-6b8-x",
          labels: { app: "podinfo" },
          owners: owner("ReplicaSet", "podinfo-6b8", "rs-podinfo"),
        },
        { spec: { nodeName: "node-1" } },
      ),
    );
    t.graph.upsert(
      cluster,
      types.services,
      object("services", { name: "podinfo" }, { spec: { selector: { app: "podinfo" } } }),
    );
    type Related = { type: string; direction: string; resource: { kind: string; name: string } };
    type Level<T> = { resource: { kind: string; name: string; relations: T[] } };
    const data = await runExample<{
      resources: { edges: { node: { relations: Level<Level<Related>>[] } }[] };
    }>(topologyExample);
    const replicaSets = data.resources.edges[0]?.node.relations ?? [];
    expect(replicaSets.map((r) => `${r.resource.kind}/${r.resource.name}`)).toEqual([
      "ReplicaSet/podinfo-6b8",
    ]);
    const pods = replicaSets[0]?.resource.relations ?? [];
    expect(pods.map((r) => `${r.resource.kind}/${r.resource.name}`)).toEqual(["Pod/podinfo-6b8-x"]);
    expect(
      pods[0]?.resource.relations
        .map((r) => `${r.direction} ${r.type} ${r.resource.kind}/${r.resource.name}`)
        .sort(),
    ).toEqual(["IN selects Service/podinfo", "OUT runs-on Node/node-1"]);
  });

  it("History lists the Deployment's changes newest first, with their times and states", async () => {
    const data = await runExample<{
      resources: {
        edges: { node: { name: string; history: { time: string; type: string; resource: Data }[] } }[];
      };
    }>(historyExample);
    const node = data.resources.edges[0]?.node;
    expect(node?.name).toBe("podinfo");
    expect(node?.history.map((c) => [c.type, c.resource.resourceVersion, c.resource.status])).toEqual([
      ["MODIFIED", "2", { readyReplicas: 2 }],
      ["ADDED", "1", { readyReplicas: 1 }],
    ]);
    expect(Date.parse(node?.history[0]?.time ?? "")).toBeGreaterThan(0);
  });

  it("ChangesSince lists the namespace's changes since its time, oldest first, saying the window began later", async () => {
    const data = await runExample<{
      changes: { complete: boolean; changes: { type: string; resource: Data }[] };
    }>(changesSinceExample);
    const names = data.changes.changes.map((c) => c.resource.name);
    expect(names).toEqual(expect.arrayContaining(["web-1", "batch-1", "web", "podinfo"]));
    expect(names).not.toContain("pay-1");
    // Its time lies before this server started: changes before then are unknown, so not complete.
    expect(data.changes.complete).toBe(false);
  });

  it("SyncStatus shows the cluster", async () => {
    const data = await runExample(syncStatusExample);
    expect(data.clusters).toEqual([expect.objectContaining({ id: cluster.id, name: cluster.name })]);
    expect(data.syncStatus).toEqual([]);
  });

  it("FollowChanges resumes from Workloads' sequence: a change made between the two arrives first", async () => {
    const page = await runExample<Page>(workloadsExample);
    t.graph.upsert(cluster, configMapType, configMap("between", "default"));
    t.graph.upsert(cluster, configMapType, configMap("elsewhere", "payments"));
    const changes = subscribe(t.server.url, documentOf(followChangesExample), {
      ...variablesOf(followChangesExample),
      since: page.resources.sequence,
    });
    try {
      const first = (await changes.next()).resourceChanges as { type: string; resource: Data };
      expect([first.type, first.resource.kind, first.resource.name]).toEqual([
        "ADDED",
        "ConfigMap",
        "between",
      ]);
      t.graph.upsert(cluster, podType, pod("web-2", "default"));
      const live = (await changes.next()).resourceChanges as { type: string; resource: Data };
      expect([live.type, live.resource.name]).toEqual(["ADDED", "web-2"]);
    } finally {
      await changes.close();
    }
  });

  it("CountsByKind counts each kind, the most first", async () => {
    const data = await runExample<{ resourceCounts: Data[] }>(countsByKindExample);
    expect(data.resourceCounts.slice(0, 2)).toEqual([
      { apiVersion: "v1", kind: "Pod", count: expect.any(Number) },
      expect.objectContaining({ kind: expect.any(String) }),
    ]);
    const counted = data.resourceCounts.reduce((total, row) => total + (row.count as number), 0);
    expect(counted).toBe(t.graph.size);
  });

  it("NewestPods lists pods the newest first, each with its summary", async () => {
    t.graph.upsert(cluster, podType, {
      ...pod("newest", "default"),
      metadata: { ...pod("newest", "default").metadata, creationTimestamp: "2030-01-01T00:00:00Z" },
    });
    const data = await runExample<Page>(sortedPageExample);
    expect(data.resources.edges[0]?.node).toMatchObject({
      name: "newest",
      createdAt: "2030-01-01T00:00:00Z",
      summary: { phase: "Running", ready: false, restarts: 0, reason: null },
    });
  });
});
