// What the NATS output's integration tests share: a graph fed directly, the output started on it
// against a real nats-server, and pod logs and exec that need no cluster.

import { afterAll, afterEach, beforeAll } from "vitest";
import { ResourceGraph, type StoredResource, toKubernetesResource } from "../../../src/graph/index.js";
import { type KubeObject, silentLogger } from "../../../src/kube/index.js";
import type {
  NatsOutput,
  NatsOutputOptions,
  PodExecOpener,
  PodLogSource,
} from "../../../src/outputs/index.js";
import { startNatsOutput } from "../../../src/outputs/index.js";
import { resourceType } from "../../graph/resource-types.js";
import { NatsRecorder, NatsServer } from "../../support/nats-server.js";

export const cluster = { id: "cluster-a", name: "ctx-a" };
export const pods = resourceType("pods", "Pod");
export const configMaps = resourceType("configmaps", "ConfigMap");

export function pod(name: string, rv: string, phase = "Running"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: rv,
      labels: { app: name },
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    spec: { nodeName: "node-1", containers: [{ name: "main", image: "busybox" }] },
    status: { phase },
  };
}

/** What a consumer parses out of a change message's Object: the KubernetesResource as JSON. */
export function wireObject(resource: StoredResource, event: "ADDED" | "MODIFIED" | "DELETED"): unknown {
  return JSON.parse(JSON.stringify(toKubernetesResource(resource, { event })));
}

export const noLogs: PodLogSource = () => {
  throw new Error("no logs in this test");
};
export const noExec: PodExecOpener = () => Promise.reject(new Error("no exec in this test"));

export interface Started {
  graph: ResourceGraph;
  output: NatsOutput;
  relists: () => number;
}

export function startOutput(url: string, overrides: Partial<NatsOutputOptions> = {}): Started {
  const graph = overrides.graph ?? new ResourceGraph();
  let relists = 0;
  const output = startNatsOutput({
    servers: [url],
    graph,
    firstSyncDone: () => true,
    whenFirstSyncDone: Promise.resolve(),
    resync: () => {
      relists++;
    },
    version: "v0.0.0-test",
    contentDedup: false,
    podLogs: noLogs,
    podExec: noExec,
    logger: silentLogger,
    limits: { reconnectMinMs: 50, reconnectMaxMs: 200 },
    ...overrides,
  });
  return { graph, output, relists: () => relists };
}

/** One nats-server for a describe block, and what each test opens on it, closed after the test. */
export interface NatsTestBed {
  readonly url: string;
  recorder(subjects: string[]): Promise<NatsRecorder>;
  start(overrides?: Partial<NatsOutputOptions>): Started;
}

export function natsTestBed(): NatsTestBed {
  let server: NatsServer | undefined;
  const opened: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterEach(async () => {
    // Outputs before the recorders that watch them, as they were opened the other way round.
    for (const closable of opened.splice(0).reverse()) await closable.close();
  });
  afterAll(async () => {
    await server?.dispose();
  });
  const bed: NatsTestBed = {
    get url() {
      if (server === undefined) throw new Error("nats-server has not started");
      return server.url;
    },
    async recorder(subjects) {
      const recorder = await NatsRecorder.connect(bed.url, subjects);
      opened.push(recorder);
      return recorder;
    },
    start(overrides = {}) {
      const started = startOutput(bed.url, overrides);
      opened.push(started.output);
      return started;
    },
  };
  return bed;
}
