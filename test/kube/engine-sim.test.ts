// The engine against the simulator over real sockets: initial sync, live changes, every fault the
// simulator can inject, CRDs coming and going, and two clusters at once.

import { type Fault, type RunningSimulator, startSimulator } from "@meshsync/sim";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ResourceGraph } from "../../src/graph/index.js";
import { Engine, type EngineOptions } from "../../src/kube/engine.js";
import { silentLogger } from "../../src/kube/logger.js";
import type { TypeSyncStatus } from "../../src/kube/sync-status.js";
import { resourceTypeName } from "../../src/kube/types.js";
import { widgetCrd } from "../support/widget-crd.js";
import { waitFor } from "./fakes.js";
import { StateSink } from "./state-sink.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ bookmarkIntervalMs: 300, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

const fastRetries: Partial<EngineOptions> = {
  tuning: { backoff: { initialMs: 20, maxMs: 400 }, stallTimeoutMs: 2_000 },
  discoveryRefreshMs: 0,
  crdSettleMs: 50,
};

async function engineFor(kubeconfigYaml: string, options: Partial<EngineOptions> = {}, allContexts = false) {
  const sink = new StateSink();
  const engine = await Engine.connect(
    { kubeconfigYaml, allContexts },
    { sink, logger: silentLogger, ...fastRetries, ...options },
  );
  cleanups.push(() => engine.stop());
  engine.start();
  await engine.ready;
  // Faults aimed at open streams need the streams open.
  await waitFor(() => engine.status().every((status) => status.phase === "watching"), "every watch to open");
  return { engine, sink };
}

/** Every difference between what the simulator holds and what reached the sink, for every watched type. */
function differences(sim: RunningSimulator, engine: Engine, sink: StateSink, clusterId: string): string[] {
  const found: string[] = [];
  for (const { type } of engine.resourceTypes(clusterId)) {
    const name = resourceTypeName(type);
    const truth = new Map(
      sim.api
        .list(type.group, type.version, type.resource)
        .map((object) => [object.metadata?.uid ?? "", object.metadata?.resourceVersion ?? ""]),
    );
    const held = sink.versions(clusterId, name);
    for (const [uid, rv] of truth) {
      if (!held.has(uid)) found.push(`${name}: missing ${uid}`);
      else if (held.get(uid) !== rv) found.push(`${name}: ${uid} at ${held.get(uid)} instead of ${rv}`);
    }
    for (const uid of held.keys()) if (!truth.has(uid)) found.push(`${name}: ghost ${uid}`);
  }
  return found;
}

async function converged(
  sim: RunningSimulator,
  engine: Engine,
  sink: StateSink,
  clusterId: string,
): Promise<void> {
  let last: string[] = [];
  await waitFor(() => {
    last = differences(sim, engine, sink, clusterId);
    return last.length === 0;
  }, "the engine to match the simulator").catch((error: Error) => {
    throw new Error(`${error.message}: ${last.slice(0, 10).join("; ")}`);
  });
}

function configMap(name: string, value: string) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { value } };
}

/** Creates, updates and deletes a few configmaps, as a controller might while a fault is in force. */
function touchConfigMaps(sim: RunningSimulator, round: string): void {
  for (let i = 0; i < 3; i++) sim.api.create("", "v1", "configmaps", configMap(`cm-${round}-${i}`, "one"));
  const updated = sim.api.get("", "v1", "configmaps", "default", `cm-${round}-0`);
  if (updated) sim.api.update("", "v1", "configmaps", { ...updated, data: { value: "two" } });
  sim.api.delete("", "v1", "configmaps", "default", `cm-${round}-1`);
}

describe("Engine against the simulator", () => {
  it("holds exactly the simulator's objects after the first sync and follows live changes", async () => {
    const sim = await simulator();
    const { engine, sink } = await engineFor(sim.kubeconfig());
    const [cluster] = engine.clusters();
    if (!cluster) throw new Error("no cluster");
    const kubeSystem = sim.api.get("", "v1", "namespaces", undefined, "kube-system");
    expect(cluster).toEqual({ id: kubeSystem?.metadata?.uid, name: "meshsync-sim" });
    expect(engine.isReady()).toBe(true);
    expect(differences(sim, engine, sink, cluster.id)).toEqual([]);
    expect(sink.count(cluster.id, "pods.v1.")).toBeGreaterThan(0);

    const typeNames = engine.resourceTypes(cluster.id).map(({ type }) => resourceTypeName(type));
    expect(typeNames).toContain("deployments.v1.apps");
    expect(typeNames).not.toContain("events.v1.");
    expect(typeNames.some((name) => name.includes("/"))).toBe(false);

    touchConfigMaps(sim, "live");
    await converged(sim, engine, sink, cluster.id);
    const statuses = engine.status(cluster.id);
    expect(statuses.every((status) => status.hasSynced && status.relistCount === 0)).toBe(true);
    expect(statuses.find((status) => status.typeName === "configmaps.v1.")?.lastEventTime).toBeTypeOf(
      "string",
    );
  });

  type Check = (status: TypeSyncStatus) => void;
  const faults: [string, Fault, Check][] = [
    ["dropped watches", { action: "drop-watches" }, (s) => expect(s.watchCount).toBeGreaterThan(1)],
    [
      "a 410 on watch",
      { action: "fail", status: 410, count: 1, watchOnly: true, path: "/configmaps" },
      (s) => expect(s.relistCount).toBeGreaterThan(0),
    ],
    [
      "a burst of 500s",
      { action: "fail", status: 500, count: 4, path: "/configmaps" },
      (s) => expect(s.watchCount).toBeGreaterThan(1),
    ],
    [
      "a burst of 429s with Retry-After",
      { action: "fail", status: 429, count: 2, retryAfterSeconds: 1, path: "/configmaps" },
      (s) => expect(s.watchCount).toBeGreaterThan(1),
    ],
    // The watch resumes from a resourceVersion still inside the compacted history, so no relist is due.
    ["history compaction", { action: "compact" }, (s) => expect(s.watchCount).toBeGreaterThan(1)],
    [
      "a restart with a new resourceVersion epoch",
      { action: "restart" },
      (s) => expect(s.relistCount).toBeGreaterThan(0),
    ],
  ];

  for (const [name, fault, check] of faults) {
    it(`converges to the simulator's state after ${name}`, async () => {
      const sim = await simulator({ churn: 20 });
      const { engine, sink } = await engineFor(sim.kubeconfig());
      const clusterId = engine.clusters()[0]?.id ?? "";
      sim.fault(fault);
      touchConfigMaps(sim, "during");
      // Failures hit new requests only: make every stream reconnect into them.
      if (fault.action !== "drop-watches" && fault.action !== "restart")
        sim.fault({ action: "drop-watches" });
      await waitFor(() => {
        const configMaps = engine.status(clusterId).find((status) => status.typeName === "configmaps.v1.");
        return configMaps?.phase === "watching" && configMaps.watchCount > 1;
      }, "the configmaps watch to come back");
      await converged(sim, engine, sink, clusterId);
      const configMaps = engine.status(clusterId).find((status) => status.typeName === "configmaps.v1.");
      if (!configMaps) throw new Error("configmaps are not watched");
      check(configMaps);
    });
  }

  it("restarts stalled streams and catches up", async () => {
    const sim = await simulator();
    const { engine, sink } = await engineFor(sim.kubeconfig());
    const clusterId = engine.clusters()[0]?.id ?? "";
    sim.fault({ action: "stall-watches", newStreamsForMs: 500 });
    touchConfigMaps(sim, "stalled");
    await converged(sim, engine, sink, clusterId);
    const configMaps = engine.status(clusterId).find((status) => status.typeName === "configmaps.v1.");
    expect(configMaps?.stallCount).toBeGreaterThan(0);
  });

  it("relists on a 410 for an expired continue token without losing objects", async () => {
    const sim = await simulator();
    sim.fault({ action: "fail", status: 410, count: 1, path: "continue=" });
    const { engine, sink } = await engineFor(sim.kubeconfig(), {
      tuning: { pageSize: 2, backoff: { initialMs: 20, maxMs: 400 } },
    });
    await converged(sim, engine, sink, engine.clusters()[0]?.id ?? "");
  });

  it("watches a CRD created during the run and drops it and its objects when deleted, without relisting the rest", async () => {
    const sim = await simulator();
    const { engine, sink } = await engineFor(sim.kubeconfig());
    const clusterId = engine.clusters()[0]?.id ?? "";
    sim.api.create("apiextensions.k8s.io", "v1", "customresourcedefinitions", widgetCrd);
    await waitFor(
      () => engine.cluster(clusterId)?.reflectorFor("widgets.v1.example.com") !== undefined,
      "the CRD's reflector",
    );
    sim.api.create("example.com", "v1", "widgets", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1", namespace: "default" },
      spec: { size: 3 },
    });
    await waitFor(() => sink.count(clusterId, "widgets.v1.example.com") === 1, "the widget");

    sim.api.delete(
      "apiextensions.k8s.io",
      "v1",
      "customresourcedefinitions",
      undefined,
      "widgets.example.com",
    );
    await waitFor(
      () => engine.cluster(clusterId)?.reflectorFor("widgets.v1.example.com") === undefined,
      "the reflector to go",
    );
    expect(sink.count(clusterId, "widgets.v1.example.com")).toBe(0);
    const relisted = engine.status(clusterId).filter((status) => status.relistCount > 0);
    expect(relisted).toEqual([]);
    await converged(sim, engine, sink, clusterId);
  });

  it("takes its selection from the cluster's meshery-meshsync resource when there is one", async () => {
    const sim = await simulator();
    sim.api.create("apiextensions.k8s.io", "v1", "customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "meshsyncs.meshery.io" },
      spec: {
        group: "meshery.io",
        scope: "Namespaced",
        names: { plural: "meshsyncs", singular: "meshsync", kind: "MeshSync", listKind: "MeshSyncList" },
        versions: [{ name: "v1alpha1", served: true, storage: true }],
      },
    });
    const existing = sim.api.get("", "v1", "namespaces", undefined, "meshery");
    if (!existing)
      sim.api.create("", "v1", "namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "meshery" },
      });
    sim.api.create("meshery.io", "v1alpha1", "meshsyncs", {
      apiVersion: "meshery.io/v1alpha1",
      kind: "MeshSync",
      metadata: { name: "meshery-meshsync", namespace: "meshery" },
      spec: {
        "watch-list": {
          data: {
            whitelist: JSON.stringify([
              { Resource: "configmaps.v1.", Events: ["ADDED", "DELETED"] },
              { Resource: "namespaces.v1.", Events: ["ADDED", "MODIFIED", "DELETED"] },
            ]),
          },
        },
      },
    });
    const { engine, sink } = await engineFor(sim.kubeconfig(), { selection: undefined });
    const clusterId = engine.clusters()[0]?.id ?? "";
    expect(
      engine
        .resourceTypes(clusterId)
        .map(({ type }) => resourceTypeName(type))
        .sort(),
    ).toEqual(["configmaps.v1.", "namespaces.v1."]);
    const created = sim.api.create("", "v1", "configmaps", configMap("picked", "one"));
    sim.api.update("", "v1", "configmaps", { ...created, data: { value: "two" } });
    sim.api.create("", "v1", "configmaps", configMap("marker", "x"));
    await waitFor(
      () => sink.count(clusterId, "configmaps.v1.") === sim.api.list("", "v1", "configmaps").length,
      "the adds",
    );
    const held = [...(sink.clusters.get(clusterId)?.values() ?? [])].find(
      (entry) => entry.object.metadata?.name === "picked",
    );
    // MODIFIED is not in the whitelist for configmaps, so the first state stays.
    expect((held?.object.data as Record<string, string> | undefined)?.value).toBe("one");

    // An edit to the resource applies at the next discovery, without a restart.
    const resource = sim.api.get("meshery.io", "v1alpha1", "meshsyncs", "meshery", "meshery-meshsync");
    if (!resource) throw new Error("the MeshSync resource is gone");
    sim.api.update("meshery.io", "v1alpha1", "meshsyncs", {
      ...resource,
      spec: { "watch-list": { data: { blacklist: JSON.stringify(["pods.v1."]) } } },
    });
    await engine.cluster(clusterId)?.refresh();
    const watched = engine.resourceTypes(clusterId).map(({ type }) => resourceTypeName(type));
    expect(watched).toContain("deployments.v1.apps");
    expect(watched).not.toContain("pods.v1.");
    expect(watched).not.toContain("events.v1.");
  });

  it("syncs two clusters at once, each object in its own cluster", async () => {
    const one = await simulator({ seed: 1, contextName: "one" });
    const two = await simulator({ seed: 2, contextName: "two", scenario: "empty" });
    const merged = mergeKubeconfigs(one.kubeconfig(), two.kubeconfig());
    const { engine, sink } = await engineFor(merged, {}, true);
    const clusters = engine.clusters();
    expect(clusters.map((cluster) => cluster.name).sort()).toEqual(["one", "two"]);
    const byName = new Map(clusters.map((cluster) => [cluster.name, cluster.id]));
    const idOne = byName.get("one") ?? "";
    const idTwo = byName.get("two") ?? "";
    expect(idOne).not.toBe(idTwo);
    two.api.create("", "v1", "configmaps", configMap("only-in-two", "x"));
    await converged(one, engine, sink, idOne);
    await converged(two, engine, sink, idTwo);
    const names = (id: string) =>
      [...(sink.clusters.get(id)?.values() ?? [])].map((held) => held.object.metadata?.name);
    expect(names(idTwo)).toContain("only-in-two");
    expect(names(idOne)).not.toContain("only-in-two");
  });
});

function kubeSystemUid(sim: RunningSimulator): string {
  return String(sim.api.get("", "v1", "namespaces", undefined, "kube-system")?.metadata?.uid);
}

function portOf(sim: RunningSimulator): number {
  return Number(new URL(sim.url).port);
}

describe("Engine when its API server goes away", () => {
  it("drops the old cluster and syncs the new one when another cluster answers at the same address", async () => {
    const first = await simulator({ seed: 1 });
    const { engine, sink } = await engineFor(first.kubeconfig());
    const firstId = kubeSystemUid(first);
    expect(engine.clusters().map((c) => c.id)).toEqual([firstId]);
    const port = portOf(first);
    await first.close();
    const second = await simulator({ seed: 2, port, churn: 20 });
    const secondId = kubeSystemUid(second);
    expect(secondId).not.toBe(firstId);

    await waitFor(() => engine.clusters()[0]?.id === secondId, "the engine to take the new cluster's id");
    expect(engine.clusters()).toEqual([{ id: secondId, name: "meshsync-sim" }]);
    expect(sink.clusters.has(firstId)).toBe(false);
    await waitFor(() => engine.isReady(), "the new cluster's first sync");
    await converged(second, engine, sink, secondId);
    expect(engine.resync(firstId)).toBe(false);
  });

  it("relists what a cluster restored from a backup no longer has", async () => {
    const before = await simulator({ seed: 3 });
    const { engine, sink } = await engineFor(before.kubeconfig());
    const id = kubeSystemUid(before);
    touchConfigMaps(before, "after-the-backup");
    await converged(before, engine, sink, id);
    const port = portOf(before);
    await before.close();
    // Same seed: the same cluster, as it was before those writes, with resourceVersions behind them.
    const restored = await simulator({ seed: 3, port });
    expect(kubeSystemUid(restored)).toBe(id);
    expect(restored.resourceVersion()).toBeLessThan(Number(engine.status(id)[0]?.resourceVersion));

    await converged(restored, engine, sink, id);
    expect(engine.clusters().map((c) => c.id)).toEqual([id]);
    const configMaps = engine.status(id).find((status) => status.typeName === "configmaps.v1.");
    expect(configMaps?.relistCount).toBeGreaterThan(0);
  });

  it("says once that the cluster is gone and once that it is back, not once per type per retry", async () => {
    const sim = await simulator({ seed: 4 });
    const lines: { level: string; msg: string | undefined }[] = [];
    const at = (level: string) => (_fields: object, msg?: string) => lines.push({ level, msg });
    const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
    const { engine, sink } = await engineFor(sim.kubeconfig(), { logger });
    const id = kubeSystemUid(sim);
    const port = portOf(sim);
    // A watch that ends within a second of opening looks like a server refusing to watch, which
    // each type reports itself; these have been open longer.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    lines.length = 0;
    await sim.close();
    await waitFor(() => engine.clusterStates()[0]?.contact.reachable === false, "the cluster to be lost");
    const lost = engine.clusterStates()[0]?.contact;
    expect(lost?.lastError).toMatch(/ECONNREFUSED|socket hang up|ECONNRESET/);
    const back = await simulator({ seed: 4, port });
    await waitFor(() => engine.clusterStates()[0]?.contact.reachable === true, "the cluster to be back");
    await converged(back, engine, sink, id);
    const loud = lines.filter((line) => line.level === "warn" || line.level === "error");
    expect(loud.map((line) => line.msg)).toEqual([
      "cluster unreachable; serving its last known state until it answers again",
    ]);
    expect(lines.filter((line) => line.msg === "cluster reachable again")).toHaveLength(1);
  });
});

function mergeKubeconfigs(...texts: string[]): string {
  const docs = texts.map((text) => parseYaml(text) as Record<string, unknown[]>);
  const merged = {
    apiVersion: "v1",
    kind: "Config",
    clusters: docs.flatMap((doc) => doc.clusters ?? []),
    users: docs.flatMap((doc) => doc.users ?? []),
    contexts: docs.flatMap((doc) => doc.contexts ?? []),
    "current-context": (docs[0] as Record<string, unknown>)["current-context"],
  };
  return stringifyYaml(merged);
}

describe("Engine feeding the resource graph", () => {
  it("leaves the graph holding each watched type's objects, counted as the simulator counts them", async () => {
    const sim = await simulator();
    const graph = new ResourceGraph();
    const engine = await Engine.connect(
      { kubeconfigYaml: sim.kubeconfig() },
      { sink: graph, logger: silentLogger, ...fastRetries },
    );
    cleanups.push(() => engine.stop());
    engine.start();
    await engine.ready;
    const cluster = engine.clusters()[0];
    if (!cluster) throw new Error("no cluster");
    const countsMatch = () =>
      engine
        .resourceTypes(cluster.id)
        .every(
          ({ type }) =>
            graph.countOfType(cluster.id, type) ===
            sim.api.list(type.group, type.version, type.resource).length,
        );
    expect(countsMatch()).toBe(true);

    const configMaps = engine
      .resourceTypes(cluster.id)
      .find(({ type }) => type.resource === "configmaps")?.type;
    if (!configMaps) throw new Error("configmaps are not watched");
    const before = graph.countOfType(cluster.id, configMaps);
    sim.api.create("", "v1", "configmaps", configMap("graph-check", "1"));
    await waitFor(
      () => graph.countOfType(cluster.id, configMaps) === before + 1,
      "the new configmap in the graph",
    );
    sim.api.delete("", "v1", "configmaps", "default", "graph-check");
    await waitFor(
      () => graph.countOfType(cluster.id, configMaps) === before,
      "the configmap to leave the graph",
    );
    expect(countsMatch()).toBe(true);
  });
});
