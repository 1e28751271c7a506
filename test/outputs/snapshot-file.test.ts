import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ResourceGraph, type StoredResource, toKubernetesResource } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import {
  defaultSnapshotName,
  SnapshotAccumulator,
  SnapshotFileError,
  snapshotNamesPerDay,
  writeSnapshotFile,
} from "../../src/outputs/index.js";
import { resourceType } from "../graph/resource-types.js";

const cluster: ClusterRef = { id: "kube-system-uid-1", name: "kind" };
const pods = resourceType("pods", "Pod");
const services = resourceType("services", "Service");
const configMaps = resourceType("configmaps", "ConfigMap");

const directories: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "meshsync-snapshot-"));
  directories.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function pod(name: string, resourceVersion: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", uid: `pod-${name}`, resourceVersion, labels },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    status: { phase: "Running" },
  };
}

const web: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop", uid: "svc-web", resourceVersion: "5" },
  spec: { clusterIP: "10.96.0.10", ports: [{ port: 443 }] },
};

const settings: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "settings",
    namespace: "shop",
    uid: "cm-settings",
    resourceVersion: "2",
    annotations: { description: "multi\nline: with a colon", "x/json": '{"a":[1,2]}' },
  },
  immutable: false,
  data: { "app.yaml": "mode: fast\n", yes: "no" },
};

function filledGraph(): ResourceGraph {
  const graph = new ResourceGraph();
  graph.addCluster(cluster);
  graph.upsert(cluster, pods, pod("a", "1", { app: "a" }));
  graph.upsert(cluster, pods, pod("b", "1"));
  graph.upsert(cluster, services, web);
  graph.upsert(cluster, configMaps, settings);
  return graph;
}

/** The file's documents, read back with the yaml package; Go ends every document with "---". */
function documentsOf(path: string): unknown[] {
  const text = readFileSync(path, "utf8");
  const documents = parseAllDocuments(text);
  for (const document of documents) expect(document.errors).toStrictEqual([]);
  const last = documents.at(-1);
  expect(last?.toJS()).toBeNull();
  return documents.slice(0, -1).map((d) => d.toJS());
}

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("writeSnapshotFile", () => {
  it("writes one YAML document per object, each the converted object, each followed by ---", async () => {
    const graph = filledGraph();
    const path = join(scratch(), "cluster.yaml");
    const resources = [...graph.all()];
    const result = await writeSnapshotFile(resources, { path });
    expect(result).toStrictEqual({ path, objects: 4 });
    const text = readFileSync(path, "utf8");
    expect(text.endsWith("\n---\n")).toBe(true);
    expect(text.split(/^---$/m)).toHaveLength(5);
    expect(documentsOf(path)).toStrictEqual(resources.map((r) => asJson(toKubernetesResource(r))));
  });

  it("keeps Go's JSON-text fields as strings in YAML, and nulls as null", async () => {
    const graph = filledGraph();
    const path = join(scratch(), "types.yaml");
    await writeSnapshotFile(graph.all(), { path });
    const byKind = new Map(
      documentsOf(path).map((d) => [(d as { kind: string }).kind, d as Record<string, unknown>]),
    );
    const configMap = byKind.get("ConfigMap");
    expect(configMap?.immutable).toBe("false");
    expect(typeof configMap?.data).toBe("string");
    expect(JSON.parse(configMap?.data as string)).toStrictEqual(settings.data);
    expect(configMap?.pattern_resource).toBeNull();
    expect(byKind.get("Service")?.component_metadata).toStrictEqual({
      capabilities: { connection: true, urls: ["https://10.96.0.10:443"] },
    });
  });

  it("writes an object once, as first seen", async () => {
    const graph = filledGraph();
    const first = graph.get(`${cluster.id}/pod-a`) as StoredResource;
    graph.upsert(cluster, pods, pod("a", "2", { app: "a", changed: "yes" }));
    const second = graph.get(`${cluster.id}/pod-a`) as StoredResource;
    expect(second.resourceVersion).toBe("2");
    const path = join(scratch(), "first.yaml");
    const result = await writeSnapshotFile([first, second, first], { path });
    expect(result.objects).toBe(1);
    const [only] = documentsOf(path) as Array<{ metadata: { resourceVersion: string } }>;
    expect(only?.metadata.resourceVersion).toBe("1");
  });

  it("replaces a file at the path whole, leaving no temporary file beside it", async () => {
    const dir = scratch();
    const path = join(dir, "again.yaml");
    writeFileSync(path, "left: over\n---\n");
    await writeSnapshotFile(filledGraph().all(), { path });
    await writeSnapshotFile([...filledGraph().all()].slice(0, 1), { path });
    expect(documentsOf(path)).toHaveLength(1);
    expect(readdirSync(dir)).toStrictEqual(["again.yaml"]);
  });

  it("writes an empty file for no objects, as Go does", async () => {
    const path = join(scratch(), "empty.yaml");
    expect(await writeSnapshotFile([], { path })).toStrictEqual({ path, objects: 0 });
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("fails with one line, and leaves nothing, when the file cannot be written", async () => {
    const dir = scratch();
    const path = join(dir, "missing", "snapshot.yaml");
    const failure = writeSnapshotFile(filledGraph().all(), { path });
    await expect(failure).rejects.toBeInstanceOf(SnapshotFileError);
    await expect(failure).rejects.toThrow(
      /^cannot write the snapshot .*missing\/snapshot\.yaml: ENOENT[^\n]*$/,
    );
    expect(readdirSync(dir)).toStrictEqual([]);
  });
});

describe("the default file name", () => {
  const day = new Date(2026, 0, 5, 23, 59);

  it("is meshery-cluster-snapshot-YYYYMMDD-NN.yaml, in local time", () => {
    expect(defaultSnapshotName(day, 0)).toBe("meshery-cluster-snapshot-20260105-00.yaml");
    expect(defaultSnapshotName(new Date(2026, 10, 30), 7)).toBe("meshery-cluster-snapshot-20261130-07.yaml");
    expect(defaultSnapshotName(day, 123)).toBe("meshery-cluster-snapshot-20260105-123.yaml");
  });

  it("takes the first free number of the day in the directory", async () => {
    const directory = scratch();
    const write = () => writeSnapshotFile(filledGraph().all(), { directory, now: day });
    expect((await write()).path).toBe(join(directory, "meshery-cluster-snapshot-20260105-00.yaml"));
    expect((await write()).path).toBe(join(directory, "meshery-cluster-snapshot-20260105-01.yaml"));
    writeFileSync(join(directory, "meshery-cluster-snapshot-20260105-02.yaml"), "someone else's\n");
    const third = await write();
    expect(third.path).toBe(join(directory, "meshery-cluster-snapshot-20260105-03.yaml"));
    expect(documentsOf(third.path)).toHaveLength(4);
    expect(readFileSync(join(directory, "meshery-cluster-snapshot-20260105-02.yaml"), "utf8")).toBe(
      "someone else's\n",
    );
    // An empty --outputFile is no --outputFile.
    expect((await writeSnapshotFile([], { path: "", directory, now: day })).path).toBe(
      join(directory, "meshery-cluster-snapshot-20260105-04.yaml"),
    );
    expect(readdirSync(directory).sort()).toStrictEqual(
      [0, 1, 2, 3, 4].map((n) => `meshery-cluster-snapshot-20260105-0${n}.yaml`),
    );
  });

  it("gives up, as Go does, when all of the day's names are taken", async () => {
    const directory = scratch();
    for (let n = 0; n < snapshotNamesPerDay; n++)
      writeFileSync(join(directory, defaultSnapshotName(day, n)), "");
    await expect(writeSnapshotFile([], { directory, now: day })).rejects.toThrow(/^no unique name available/);
    expect(readdirSync(directory)).toHaveLength(snapshotNamesPerDay);
  });
});

describe("SnapshotAccumulator", () => {
  it("holds what the graph had and what came during the run, each object as first seen", async () => {
    const graph = filledGraph();
    const accumulator = new SnapshotAccumulator(graph);
    graph.upsert(cluster, pods, pod("a", "2", { changed: "yes" }));
    graph.upsert(cluster, pods, pod("c", "1"));
    graph.upsert(cluster, pods, pod("c", "2"));
    graph.delete(cluster, pods, pod("b", "1"));
    expect(accumulator.size).toBe(5);
    const path = join(scratch(), "run.yaml");
    expect(await accumulator.write(path)).toStrictEqual({ path, objects: 5, dropped: 0 });
    const documents = documentsOf(path) as Array<{ metadata: { name: string; resourceVersion: string } }>;
    expect(documents.map((d) => `${d.metadata.name}@${d.metadata.resourceVersion}`).sort()).toStrictEqual([
      "a@1",
      "b@1",
      "c@1",
      "settings@2",
      "web@5",
    ]);
    accumulator.close();
    graph.upsert(cluster, pods, pod("d", "1"));
    expect(accumulator.size).toBe(5);
  });

  it("converts an object first seen deleted as Go does: a Service without component_metadata", async () => {
    const graph = new ResourceGraph();
    graph.addCluster(cluster);
    graph.upsert(cluster, services, web);
    const accumulator = new SnapshotAccumulator();
    const [service] = [...graph.all()];
    accumulator.add(service as StoredResource, "DELETED");
    const [document] = [...accumulator.objects()];
    expect(document?.component_metadata).toBeNull();
    expect(toKubernetesResource(service as StoredResource).component_metadata).not.toBeNull();
  });

  it("counts what it had no room for instead of dropping it unseen", async () => {
    const graph = filledGraph();
    const accumulator = new SnapshotAccumulator(graph, { maxObjects: 3 });
    expect(accumulator.size).toBe(3);
    expect(accumulator.dropped).toBe(1);
    const result = await accumulator.write({ directory: scratch(), now: new Date(2026, 5, 1) });
    expect(result.objects).toBe(3);
    expect(result.dropped).toBe(1);
    expect(result.path.endsWith("meshery-cluster-snapshot-20260601-00.yaml")).toBe(true);
    accumulator.close();
    expect(() => new SnapshotAccumulator(undefined, { maxObjects: 0 })).toThrow(/positive integer/);
  });
});
