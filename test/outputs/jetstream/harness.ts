// What the replication tests share: a nats-server with JetStream for a describe block, a leader graph
// fed directly and published, followers built from the streams, and ways to compare their graphs.
import { afterAll, afterEach, beforeAll } from "vitest";
import { ResourceGraph } from "../../../src/graph/index.js";
import { type KubeObject, type Logger, silentLogger } from "../../../src/kube/index.js";
import {
  ChangePublisher,
  type ChangePublisherOptions,
  type ClusterStreams,
  ensureClusterStreams,
  type JetStreamClients,
  ReplicationLink,
  StreamFollower,
  type StreamFollowerOptions,
} from "../../../src/outputs/index.js";
import { NatsServer } from "../../support/nats-server.js";

export { cluster, configMaps, pod, pods } from "../nats/harness.js";

export function configMap(name: string, rv: number, data: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: String(rv) },
    data,
  };
}

/** A graph's objects of one cluster as `key@resourceVersion object-text`, sorted: what replicas must agree on. */
export function stateOf(graph: ResourceGraph, clusterId: string): string[] {
  return [...graph.all()]
    .filter((resource) => resource.clusterId === clusterId)
    .map((resource) => `${resource.key}@${resource.resourceVersion} ${resource.objectText}`)
    .sort();
}

/** The changes a graph's log retains after `sequence`, as `sequence TYPE key@resourceVersion`. */
export function historyOf(graph: ResourceGraph, after: number): string[] {
  return (graph.log.changesSince(after) ?? []).map(
    (change) => `${change.sequence} ${change.type} ${change.resource.key}@${change.resource.resourceVersion}`,
  );
}

export interface Leader {
  graph: ResourceGraph;
  publisher: ChangePublisher;
  fenced: string[];
  overflowed: string[];
}

export interface Follower {
  graph: ResourceGraph;
  follower: StreamFollower;
  diverged: string[];
}

export interface JetStreamTestBed {
  readonly server: NatsServer;
  /** A link to the server (or to another URL, e.g. a relay's), up, closed after the test. */
  link(url?: string, requestTimeoutMs?: number): Promise<ReplicationLink>;
  clients(): Promise<JetStreamClients>;
  streams(clusterRef?: { id: string; name: string }): Promise<ClusterStreams>;
  /** A leader graph aligned to the stream's epoch and end, publishing from there. */
  leader(streams: ClusterStreams, overrides?: Partial<ChangePublisherOptions>): Promise<Leader>;
  /** A follower graph, bootstrapped. */
  follower(streams: ClusterStreams, overrides?: Partial<StreamFollowerOptions>): Promise<Follower>;
}

/** A logger that keeps its error lines, for tests that expect one. */
export function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { ...silentLogger, error: (_fields, message) => errors.push(message ?? ""), errors };
}

export function jetStreamTestBed(): JetStreamTestBed {
  let server: NatsServer | undefined;
  let shared: ReplicationLink | undefined;
  const opened: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    server = await NatsServer.start({ jetstream: true });
  });
  afterEach(async () => {
    for (const closable of opened.splice(0).reverse()) await closable.close();
    shared = undefined;
  });
  afterAll(async () => {
    await server?.dispose();
  });
  const bed: JetStreamTestBed = {
    get server() {
      if (server === undefined) throw new Error("nats-server has not started");
      return server;
    },
    async link(url = bed.server.url, requestTimeoutMs = 2_000) {
      const link = new ReplicationLink({
        servers: [url],
        reconnectMinMs: 50,
        reconnectMaxMs: 200,
        requestTimeoutMs,
        logger: silentLogger,
      });
      opened.push(link);
      link.start();
      await link.whenUp();
      return link;
    },
    async clients() {
      shared ??= await bed.link();
      const clients = await shared.whenUp();
      if (clients === undefined) throw new Error("link closed");
      return clients;
    },
    async streams(clusterRef = { id: "cluster-a", name: "ctx-a" }) {
      return ensureClusterStreams((await bed.clients()).jsm, clusterRef);
    },
    async leader(streams, overrides = {}) {
      const link = overrides.link ?? (await bed.link());
      const { jsm } = (await link.whenUp())!;
      const last = (await jsm.streams.info(streams.names.changeStream)).state.last_seq;
      const graph = overrides.graph ?? new ResourceGraph();
      if (overrides.graph === undefined) graph.log.rebase(streams.epoch, last);
      const fenced: string[] = [];
      const overflowed: string[] = [];
      const publisher = new ChangePublisher({
        link,
        graph,
        streams,
        logger: silentLogger,
        limits: { retryMinMs: 50, retryMaxMs: 300 },
        onFenced: (reason) => fenced.push(reason),
        onOverflow: (reason) => overflowed.push(reason),
        ...overrides,
      });
      opened.push({ close: async () => publisher.stop() });
      await publisher.start(graph.log.sequence);
      return { graph, publisher, fenced, overflowed };
    },
    async follower(streams, overrides = {}) {
      const link = overrides.link ?? (await bed.link());
      const graph = overrides.graph ?? new ResourceGraph();
      const diverged: string[] = [];
      const follower = new StreamFollower({
        link,
        streams,
        graph,
        alignCursors: true,
        logger: silentLogger,
        onDiverged: (reason) => diverged.push(reason),
        infoIntervalMs: 200,
        ...overrides,
      });
      opened.push({ close: () => follower.stop() });
      await follower.bootstrap();
      return { graph, follower, diverged };
    },
  };
  return bed;
}
