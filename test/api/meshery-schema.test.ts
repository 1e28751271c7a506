// The operations older Meshery versions send (meshery/meshery ui/components/graphql/{queries,
// subscriptions}/*, across versions), run against meshsync's Meshery schema in-process: each validates,
// and each answers with the shape Meshery's schema declares (MESHERY_SDL below: the part of
// server/internal/graphql/schema/schema.graphql, before PR #20587 removed its subscriptions, that
// meshsync serves), checked field by field.
import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  execute,
  type GraphQLField,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  parse,
  subscribe,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { type ApiContext, createApiContext, mesherySchema } from "../../src/api/index.js";
import { ResourceGraph } from "../../src/graph/index.js";
import type { ClusterHealth } from "../../src/kube/index.js";
import type { KubeObject, ResourceType } from "../../src/kube/types.js";
import { cluster, configMap, configMapType, pod, podType } from "../server/fixtures.js";

const MESHERY_SDL = `
scalar Any
enum Status { ENABLED CONNECTED DISABLED PROCESSING UNKNOWN }
type Error { code: String! description: String! }
enum MeshSyncEventType { ADDED MODIFIED DELETED }
type MeshSyncEvent { type: String! object: Any! connectionID: String! }
type Resource { kind: String! count: Int! }
type ClusterResources { resources: [Resource!]! }
type OperatorControllerStatus { name: String! version: String! status: Status! error: Error connectionID: String! }
type NameSpace { namespace: String! }
input ReSyncActions { clearDB: String! ReSync: String! hardReset: String! }
type Query {
  resyncCluster(selector: ReSyncActions, k8scontextID: String!): Status!
  getMeshsyncStatus(connectionID: String!): OperatorControllerStatus!
  getAvailableNamespaces(k8sClusterIDs: [String!]): [NameSpace!]!
  getClusterResources(k8scontextIDs: [String!], namespace: String!): ClusterResources!
}
type Subscription {
  subscribeMeshSyncEvents(connectionIDs: [String!], eventTypes: [MeshSyncEventType!]): MeshSyncEvent!
  subscribeClusterResources(k8scontextIDs: [String!], namespace: String!): ClusterResources!
}
`;

/** As the recent Meshery UI sends them. */
const recent = {
  meshSyncEvents: `subscription MeshSyncEventsSubscription($connectionIDs: [String!], $eventTypes: [MeshSyncEventType!]) {
    meshsyncevents: subscribeMeshSyncEvents(connectionIDs: $connectionIDs, eventTypes: $eventTypes) { type object connectionID }
  }`,
  clusterResourcesQuery: `query ClusterResourcesQuery($k8scontextIDs: [String!], $namespace: String!) {
    clusterResources: getClusterResources(k8scontextIDs: $k8scontextIDs, namespace: $namespace) { resources { kind count } }
  }`,
  clusterResourcesSubscription: `subscription ClusterResourcesSubscription($k8scontextIDs: [String!], $namespace: String!) {
    clusterResources: subscribeClusterResources(k8scontextIDs: $k8scontextIDs, namespace: $namespace) { resources { kind count } }
  }`,
  namespaces: `query NamespaceQuery($k8sClusterIDs: [String!]) {
    namespaces: getAvailableNamespaces(k8sClusterIDs: $k8sClusterIDs) { namespace }
  }`,
  resync: `query ResetDatabaseQuery($selector: ReSyncActions!, $k8scontextID: String!) {
    resetStatus: resyncCluster(selector: $selector, k8scontextID: $k8scontextID)
  }`,
  meshsyncStatus: `query MeshsyncStatusQuery($connectionID: String!) {
    controller: getMeshsyncStatus(connectionID: $connectionID) { name version status }
  }`,
};

/** As older Meshery UIs sent them. */
const older = {
  eventsContextId: `subscription MeshSyncEventsSubscription($k8scontextIDs: [String!], $eventTypes: [MeshSyncEventType!]) {
    meshsyncevents: subscribeMeshSyncEvents(k8scontextIDs: $k8scontextIDs, eventTypes: $eventTypes) { type object contextId }
  }`,
  eventsNullableTypes: `subscription MeshSyncEventsSubscription($k8scontextIDs: [String!], $eventTypes: [MeshSyncEventType]) {
    meshsyncevents: subscribeMeshSyncEvents(k8scontextIDs: $k8scontextIDs, eventTypes: $eventTypes) { type object contextId }
  }`,
  eventsNoTypes: `subscription MeshSyncEventsSubscription($k8scontextIDs: [String!]) {
    meshsyncevents: subscribeMeshSyncEvents(k8scontextIDs: $k8scontextIDs) { type object contextId }
  }`,
  eventsKubernetesContextIDs: `subscription MeshSyncEventsSubscription($kubernetesContextIDs: [String!]) {
    subscribeMeshSyncEvents(kubernetesContextIDs: $kubernetesContextIDs) { type object contextID }
  }`,
  clusterResourcesNoNamespace: `query ClusterResourcesQuery($k8scontextIDs: [String!]) {
    clusterResources: getClusterResources(k8scontextIDs: $k8scontextIDs) { resources { kind count } }
  }`,
  clusterResourcesNamespaces: `query ClusterResourcesQuery($k8scontextIDs: [String!], $namespaces: [String!]) {
    clusterResources: getClusterResources(k8scontextIDs: $k8scontextIDs, namespaces: $namespaces) { resources { kind count } }
  }`,
  clusterResourcesSubscriptionKubernetes: `subscription ClusterResourcesSubscription($kubernetesContextIDs: [String!], $namespace: String!) {
    clusterResources: subscribeClusterResources(kubernetesContextIDs: $kubernetesContextIDs, namespace: $namespace) { resources { kind count } }
  }`,
  meshsyncStatusK8s: `query MeshsyncStatusQuery($k8scontextID: String!) {
    controller: getMeshsyncStatus(k8scontextID: $k8scontextID) { name version status }
  }`,
  resyncNoContext: `query ResetDatabaseQuery($selector: ReSyncActions!) { resetStatus: resyncCluster(selector: $selector) }`,
};

const namespaceType: ResourceType = {
  group: "",
  version: "v1",
  resource: "namespaces",
  kind: "Namespace",
  namespaced: false,
  verbs: ["get", "list", "watch"],
};

function namespace(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, uid: `uid-ns-${name}`, resourceVersion: "1" },
  };
}

interface World {
  graph: ResourceGraph;
  context: ApiContext;
  resyncs: string[];
  health: ClusterHealth[];
}

function world(): World {
  const graph = new ResourceGraph();
  graph.addCluster(cluster);
  for (const name of ["default", "shop"]) graph.upsert(cluster, namespaceType, namespace(name));
  graph.upsert(cluster, podType, pod("web-1", "shop"));
  graph.upsert(cluster, podType, pod("web-2", "shop"));
  graph.upsert(cluster, podType, pod("api-1", "default"));
  graph.upsert(cluster, configMapType, configMap("settings", "shop"));
  const resyncs: string[] = [];
  const health: ClusterHealth[] = [
    {
      id: cluster.id,
      name: cluster.name,
      reachable: true,
      since: "2026-01-01T00:00:00Z",
      lastError: undefined,
      lastContact: undefined,
      synced: true,
    },
  ];
  const context = createApiContext({
    graph,
    clusterHealth: () => health,
    resync: (id) => {
      resyncs.push(id);
      return id === cluster.id;
    },
    version: "9.9.9",
  });
  return { graph, context, resyncs, health };
}

async function run(
  context: ApiContext,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<ExecutionResult> {
  const document = parse(text);
  const errors = validate(mesherySchema, document);
  if (errors.length > 0) return { errors };
  return (await execute({
    schema: mesherySchema,
    document,
    contextValue: context,
    variableValues: variables,
  })) as ExecutionResult;
}

async function open(
  context: ApiContext,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<AsyncIterator<ExecutionResult>> {
  const document: DocumentNode = parse(text);
  expect(validate(mesherySchema, document)).toEqual([]);
  const result = await subscribe({
    schema: mesherySchema,
    document,
    contextValue: context,
    variableValues: variables,
  });
  if (!(Symbol.asyncIterator in result)) throw new Error(`not a stream: ${JSON.stringify(result.errors)}`);
  return result;
}

async function nextData(
  stream: AsyncIterator<ExecutionResult>,
  timeoutMs = 3000,
): Promise<Record<string, unknown>> {
  const next = await Promise.race([
    stream.next(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event in time")), timeoutMs)),
  ]);
  if (next.done) throw new Error("stream ended");
  expect(next.value.errors).toBeUndefined();
  return next.value.data as Record<string, unknown>;
}

/** "[String!]!"-style text of a type. */
const typeText = (field: { type: unknown }) => String(field.type);

/** Whether a document that passes `declared` may pass `ours`: the same type, or ours with non-null wrappers left off. */
function accepts(ours: string, declared: string): boolean {
  if (ours === declared) return true;
  return declared.replaceAll("!", "") === ours.replaceAll("!", "") && ours.length < declared.length;
}

describe("Meshery's schema as meshsync serves it", () => {
  const meshery: GraphQLSchema = buildSchema(MESHERY_SDL);

  it("declares every type, field, value and argument Meshery declares, with Meshery's types", () => {
    for (const type of Object.values(meshery.getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Int", "Boolean"].includes(type.name)) continue;
      const served = mesherySchema.getType(type.name);
      expect(served, type.name).toBeDefined();
      if (isEnumType(type)) {
        expect(
          isEnumType(served) &&
            served
              .getValues()
              .map((v) => v.name)
              .sort(),
        ).toEqual(
          type
            .getValues()
            .map((v) => v.name)
            .sort(),
        );
      }
      if (isInputObjectType(type)) {
        if (!isInputObjectType(served)) throw new Error(`${type.name} is not an input type`);
        for (const field of Object.values(type.getFields())) {
          expect(typeText(served.getFields()[field.name]!), `${type.name}.${field.name}`).toBe(
            typeText(field),
          );
        }
      }
      if (!isObjectType(type)) continue;
      if (!isObjectType(served)) throw new Error(`${type.name} is not an object type`);
      for (const field of Object.values(type.getFields())) {
        const ours: GraphQLField<unknown, unknown> | undefined = served.getFields()[field.name];
        expect(ours, `${type.name}.${field.name}`).toBeDefined();
        expect(typeText(ours!), `${type.name}.${field.name}`).toBe(typeText(field));
        for (const arg of field.args) {
          const our = ours!.args.find((a) => a.name === arg.name);
          expect(our, `${type.name}.${field.name}(${arg.name})`).toBeDefined();
          expect(
            accepts(typeText(our!), typeText(arg)),
            `${field.name}(${arg.name}: ${typeText(our!)})`,
          ).toBe(true);
        }
      }
    }
  });

  it("validates the documents Meshery's UI sends, recent ones against Meshery's own declarations too", () => {
    for (const [name, text] of Object.entries(recent)) {
      expect(validate(meshery, parse(text)), `${name} against Meshery's SDL`).toEqual([]);
      expect(validate(mesherySchema, parse(text)), name).toEqual([]);
    }
    for (const [name, text] of Object.entries(older)) {
      expect(validate(mesherySchema, parse(text)), name).toEqual([]);
    }
  });

  it("counts objects per kind: cluster-scoped ones and the namespace's, under every spelling", async () => {
    const { context } = world();
    const shop = await run(context, recent.clusterResourcesQuery, {
      k8scontextIDs: [cluster.id],
      namespace: "shop",
    });
    expect(shop).toEqual({
      data: {
        clusterResources: {
          resources: [
            { kind: "ConfigMap", count: 1 },
            { kind: "Namespace", count: 2 },
            { kind: "Pod", count: 2 },
          ],
        },
      },
    });
    // By context name, and without a namespace (every namespace), as the first versions asked.
    const all = await run(context, older.clusterResourcesNoNamespace, { k8scontextIDs: [cluster.name] });
    expect(all.data).toEqual({
      clusterResources: {
        resources: [
          { kind: "ConfigMap", count: 1 },
          { kind: "Namespace", count: 2 },
          { kind: "Pod", count: 3 },
        ],
      },
    });
    const several = await run(context, older.clusterResourcesNamespaces, {
      k8scontextIDs: [cluster.id],
      namespaces: ["default"],
    });
    expect(several.data).toEqual({
      clusterResources: {
        resources: [
          { kind: "Namespace", count: 2 },
          { kind: "Pod", count: 1 },
        ],
      },
    });
    // An id that names no cluster counts nothing, as Meshery's query found no rows.
    const unknown = await run(context, recent.clusterResourcesQuery, {
      k8scontextIDs: ["nope"],
      namespace: "shop",
    });
    expect(unknown).toEqual({ data: { clusterResources: { resources: [] } } });
  });

  it("lists a cluster's namespaces, sorted, and none for an unknown id", async () => {
    const { context } = world();
    expect(await run(context, recent.namespaces, { k8sClusterIDs: [cluster.id] })).toEqual({
      data: { namespaces: [{ namespace: "default" }, { namespace: "shop" }] },
    });
    expect(await run(context, recent.namespaces, { k8sClusterIDs: ["other"] })).toEqual({
      data: { namespaces: [] },
    });
  });

  it("answers getMeshsyncStatus from how the cluster syncs", async () => {
    const { context, health } = world();
    expect(await run(context, recent.meshsyncStatus, { connectionID: cluster.id })).toEqual({
      data: { controller: { name: "meshsync", version: "9.9.9", status: "ENABLED" } },
    });
    health[0] = { ...health[0]!, synced: false };
    expect((await run(context, older.meshsyncStatusK8s, { k8scontextID: cluster.name })).data).toEqual({
      controller: { name: "meshsync", version: "9.9.9", status: "PROCESSING" },
    });
    health[0] = { ...health[0]!, reachable: false, lastError: "connect ECONNREFUSED" };
    const down = await run(
      context,
      "query ($id: String!) { getMeshsyncStatus(connectionID: $id) { status connectionID contextID error { code description } } }",
      { id: cluster.name },
    );
    expect(down.data).toEqual({
      getMeshsyncStatus: {
        status: "DISABLED",
        connectionID: cluster.name,
        contextID: cluster.name,
        error: { code: "meshsync-cluster-unreachable", description: "connect ECONNREFUSED" },
      },
    });
    const unknown = await run(context, recent.meshsyncStatus, { connectionID: "nope" });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(unknown.errors?.[0]?.message).toContain(`known clusters: ${cluster.id} (${cluster.name})`);
  });

  it("relists the cluster on resyncCluster and answers PROCESSING", async () => {
    const { context, resyncs } = world();
    const selector = { clearDB: "false", ReSync: "true", hardReset: "false" };
    expect(await run(context, recent.resync, { selector, k8scontextID: cluster.id })).toEqual({
      data: { resetStatus: "PROCESSING" },
    });
    // Without an id, as the first versions asked: the only cluster.
    expect((await run(context, older.resyncNoContext, { selector })).data).toEqual({
      resetStatus: "PROCESSING",
    });
    // Nothing asked for: nothing relisted.
    await run(context, recent.resync, {
      selector: { clearDB: "false", ReSync: "false", hardReset: "true" },
      k8scontextID: cluster.id,
    });
    expect(resyncs).toEqual([cluster.id, cluster.id]);
    const unknown = await run(context, recent.resync, { selector, k8scontextID: "nope" });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(resyncs).toHaveLength(2);
  });

  it("streams the cluster's changes as MeshSync's KubernetesResource, only the event types asked for", async () => {
    const { graph, context } = world();
    const stream = await open(context, recent.meshSyncEvents, {
      connectionIDs: [cluster.name],
      eventTypes: ["ADDED", "DELETED"],
    });
    const added = stream.next();
    // MODIFIED is not asked for: the first event is the delete after it.
    graph.upsert(cluster, podType, pod("web-1", "shop", { rv: "2", labels: { tier: "web" } }));
    graph.delete(cluster, podType, pod("web-1", "shop", { rv: "2", labels: { tier: "web" } }));
    const first = await added;
    expect(first.done).toBe(false);
    const event = (first.value.data as { meshsyncevents: Record<string, unknown> }).meshsyncevents;
    expect(event.type).toBe("DELETED");
    expect(event.connectionID).toBe(cluster.name);
    const object = event.object as Record<string, unknown>;
    expect(object.kind).toBe("Pod");
    expect(object.apiVersion).toBe("v1");
    expect(object.cluster_id).toBe(cluster.id);
    const metadata = object.metadata as Record<string, unknown>;
    expect(metadata.name).toBe("web-1");
    expect(metadata.namespace).toBe("shop");
    // The last known state, labels as MeshSync's key-value rows.
    expect(metadata.labels).toEqual([expect.objectContaining({ kind: "label", key: "tier", value: "web" })]);
    expect(object.spec).toEqual({ id: "", attribute: expect.stringContaining('"containers"') });
    await stream.return?.();
  });

  it("streams with the older spellings, echoing the cluster in contextId and contextID", async () => {
    const { graph, context } = world();
    const old = await open(context, older.eventsNullableTypes, { k8scontextIDs: [""], eventTypes: null });
    const oldest = await open(context, older.eventsKubernetesContextIDs, {
      kubernetesContextIDs: [cluster.id],
    });
    graph.upsert(cluster, configMapType, configMap("extra", "shop"));
    const a = (await nextData(old)).meshsyncevents as Record<string, unknown>;
    expect(a).toMatchObject({ type: "ADDED", contextId: cluster.id });
    const b = (await nextData(oldest)).subscribeMeshSyncEvents as Record<string, unknown>;
    expect(b).toMatchObject({ type: "ADDED", contextID: cluster.id });
    expect((b.object as { metadata: { name: string } }).metadata.name).toBe("extra");
    await old.return?.();
    await oldest.return?.();
  });

  it("refuses a subscription to no cluster it syncs, naming the ones it does", async () => {
    const { context } = world();
    const document = parse(recent.meshSyncEvents);
    const result = await subscribe({
      schema: mesherySchema,
      document,
      contextValue: context,
      variableValues: { connectionIDs: ["meshery-connection-uuid"] },
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    const errors = (result as ExecutionResult).errors ?? [];
    expect(errors[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(errors[0]?.message).toContain('"meshery-connection-uuid"');
    expect(errors[0]?.message).toContain(cluster.name);
  });

  it("sends the counts first, then again after objects come or go", async () => {
    const { graph, context } = world();
    const stream = await open(context, recent.clusterResourcesSubscription, {
      k8scontextIDs: [cluster.id],
      namespace: "shop",
    });
    expect(await nextData(stream)).toEqual({
      clusterResources: {
        resources: [
          { kind: "ConfigMap", count: 1 },
          { kind: "Namespace", count: 2 },
          { kind: "Pod", count: 2 },
        ],
      },
    });
    graph.upsert(cluster, podType, pod("web-3", "shop"));
    graph.upsert(cluster, podType, pod("elsewhere", "default"));
    expect(await nextData(stream)).toEqual({
      clusterResources: {
        resources: [
          { kind: "ConfigMap", count: 1 },
          { kind: "Namespace", count: 2 },
          { kind: "Pod", count: 3 },
        ],
      },
    });
    await stream.return?.();
  });
});
