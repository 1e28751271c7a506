import pino from "pino";
import { ResourceGraph } from "../../src/graph/index.js";
import type { TypeSyncStatus } from "../../src/kube/index.js";
import type { ClusterRef, KubeObject, ResourceType } from "../../src/kube/types.js";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server/index.js";

export const cluster: ClusterRef = { id: "c1-uid", name: "kind-one" };

export const podType: ResourceType = {
  group: "",
  version: "v1",
  resource: "pods",
  kind: "Pod",
  namespaced: true,
  verbs: ["get", "list", "watch"],
  shortNames: ["po"],
};

export const configMapType: ResourceType = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
  verbs: ["get", "list", "watch"],
};

export const deploymentType: ResourceType = {
  group: "apps",
  version: "v1",
  resource: "deployments",
  kind: "Deployment",
  namespaced: true,
  verbs: ["get", "list", "watch"],
  shortNames: ["deploy"],
};

export function deployment(name: string, namespace: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, uid: `uid-deploy-${namespace}-${name}`, resourceVersion: "1" },
    spec: { replicas: 1 },
    status: { readyReplicas: 1 },
  };
}

export function pod(
  name: string,
  namespace: string,
  options: { labels?: Record<string, string>; rv?: string } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      resourceVersion: options.rv ?? "1",
      labels: options.labels ?? {},
      annotations: { note: `pod ${name}` },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs-1", uid: "rs-uid", controller: true },
      ],
    },
    spec: { nodeName: "node-1", containers: [{ name: "main", image: "nginx" }] },
    status: { phase: "Running" },
  };
}

export function configMap(name: string, namespace: string, rv = "1"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, uid: `uid-cm-${namespace}-${name}`, resourceVersion: rv },
    data: { key: "value" },
  };
}

/** A pod type's sync status in cluster c1, listing and not yet synced, unless overridden. */
export function typeSyncStatus(overrides: Partial<TypeSyncStatus>): TypeSyncStatus {
  return {
    clusterId: "c1",
    typeName: "pods.v1.",
    resourceType: podType,
    phase: "listing",
    error: undefined,
    objectCount: 0,
    lastEventTime: undefined,
    resourceVersion: "",
    relistCount: 0,
    watchCount: 0,
    stallCount: 0,
    skippedCount: 0,
    hasSynced: false,
    forbidden: false,
    ...overrides,
  };
}

export const silentLogger = pino({ level: process.env.TEST_LOG ?? "silent" });

export interface TestServer {
  graph: ResourceGraph;
  server: RunningServer;
}

export async function startTestServer(
  options: Partial<ServerOptions> & { retainedChanges?: number } = {},
): Promise<TestServer> {
  const graph = options.graph ?? new ResourceGraph({ retainedChanges: options.retainedChanges ?? 10_000 });
  graph.addCluster(cluster);
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    readiness: () => ({ ready: true }),
    ...options,
    graph,
  });
  return { graph, server };
}
