// MeshSync's file mode from outside: `meshsync snapshot` against a simulator process writes one YAML
// document per object, in MeshSync's KubernetesResource shape, equal to what the simulator holds; and
// `serve --output file` with MeshSync's own flag spellings writes its snapshot when --stopAfter ends it.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type RunningProcess, runMeshsync, startMeshsync, tempDir } from "../support/processes.js";
import { simTruth, type TruthObject } from "../support/sim-truth.js";

let sim: RunningProcess;
let kubeconfig: string;

beforeAll(async () => {
  kubeconfig = join(tempDir("meshsync-snapshot-"), "sim.kubeconfig");
  sim = await startMeshsync(["sim", "--port", "0", "--seed", "3", "--kubeconfig-out", kubeconfig]);
  await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
});

afterAll(async () => {
  await sim?.stop();
});

interface SnapshotDocument {
  id: string;
  apiVersion: string;
  kind: string;
  cluster_id: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    labels?: { kind: string; key: string; value?: string }[];
  };
  spec?: { id: string; attribute: string };
  status?: { id: string; attribute: string };
}

function readSnapshot(path: string): SnapshotDocument[] {
  const documents = parseAllDocuments(readFileSync(path, "utf8"));
  for (const document of documents) expect(document.errors).toEqual([]);
  // MeshSync ends every document with `---`, so the text ends with an empty one.
  expect(documents.at(-1)?.toJS()).toBeNull();
  return documents.slice(0, -1).map((document) => document.toJS() as SnapshotDocument);
}

/** Each document against the simulator's object of the same uid: identity, version, labels, spec. */
function expectEqualToTruth(documents: SnapshotDocument[], truth: Map<string, TruthObject>): void {
  const uids = documents.map((document) => document.metadata.uid);
  expect(new Set(uids).size).toBe(uids.length);
  expect(new Set(uids)).toEqual(new Set(truth.keys()));
  for (const document of documents) {
    const real = truth.get(document.metadata.uid)!;
    expect(document).toMatchObject({ apiVersion: real.apiVersion, kind: real.kind });
    expect(document.metadata.name).toBe(real.name);
    expect(document.metadata.namespace ?? undefined).toBe(real.namespace || undefined);
    expect(document.metadata.resourceVersion).toBe(real.resourceVersion);
    const labels = Object.entries(real.object.metadata?.labels ?? {});
    // Go's omitempty leaves an empty value's key out, as in node-role.kubernetes.io/control-plane.
    expect(
      (document.metadata.labels ?? []).map(({ kind, key, value }) => [kind, key, value ?? ""]).sort(),
    ).toEqual(labels.map(([key, value]) => ["label", key, value]).sort());
    if (real.object.spec !== undefined) {
      expect(JSON.parse(document.spec!.attribute)).toEqual(real.object.spec);
    }
  }
}

describe("meshsync snapshot", () => {
  it("writes every object the simulator holds, once, in MeshSync's shape, then exits", async () => {
    const file = join(tempDir("meshsync-snapshot-out-"), "cluster.yaml");
    const run = await runMeshsync(["snapshot", "--kubeconfig", kubeconfig, "--output", file], {}, 60_000);
    expect(run.stderr.split("\n").filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    expect(run.status).toBe(0);
    const documents = readSnapshot(file);
    expect(run.stdout).toContain(`snapshot of ${documents.length} objects written to ${file}`);
    const truth = await simTruth(sim.origin);
    expect(documents.length).toBeGreaterThan(100);
    expectEqualToTruth(documents, truth);
    const clusterIds = new Set(documents.map((document) => document.cluster_id));
    const kubeSystem = [...truth.values()].find((o) => o.kind === "Namespace" && o.name === "kube-system")!;
    expect(clusterIds).toEqual(new Set([kubeSystem.object.metadata?.uid]));
    for (const document of documents) expect(document.id).toBe("");
  }, 90_000);

  it("names the file as MeshSync does when no name is given, in the working directory", async () => {
    const dir = tempDir("meshsync-snapshot-cwd-");
    const run = await runMeshsync(["snapshot", "--kubeconfig", kubeconfig], {}, 60_000, dir);
    expect(run.status).toBe(0);
    const written = /written to (\S+)/.exec(run.stdout)?.[1];
    expect(written).toMatch(/meshery-cluster-snapshot-\d{8}-00\.yaml$/);
    expect(readdirSync(dir)).toEqual([basename(written!)]);
  }, 90_000);

  it("refuses a mistyped timeout in one line, without syncing", async () => {
    const run = await runMeshsync(["snapshot", "--kubeconfig", kubeconfig, "--timeout", "soon"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(/^meshsync: --timeout: expected a duration such as 8s/);
  });
});

describe("serve --output file", () => {
  it("takes MeshSync's spellings (-output, --outputFile, --stopAfter) and writes its snapshot when the run ends", async () => {
    const file = join(tempDir("meshsync-file-mode-"), "run.yaml");
    const run = await runMeshsync(
      [
        "serve",
        "--port",
        "0",
        "--kubeconfig",
        kubeconfig,
        "-output",
        "file",
        `--outputFile=${file}`,
        "--stopAfter",
        "6s",
      ],
      {},
      60_000,
    );
    expect(run.status).toBe(0);
    const documents = readSnapshot(file);
    expectEqualToTruth(documents, await simTruth(sim.origin));
  }, 90_000);
});
