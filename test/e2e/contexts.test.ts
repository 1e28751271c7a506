// Several contexts at once, as `--all-contexts` meets them in real kubeconfigs: one cluster reached by
// two contexts, and one context whose server is gone. The reachable cluster must sync once, and the
// dead context must not hold readiness back.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ClustersDocument, ResourcesDocument, SyncStatusDocument } from "../generated/graphql.js";
import { queryData } from "../support/graphql-client.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  "current-context": string;
  [key: string]: unknown;
}

let sim: RunningProcess;
let serve: RunningProcess;
let graphqlUrl: string;
let simContext: string;

beforeAll(async () => {
  const dir = tempDir("meshsync-contexts-");
  const simKubeconfig = join(dir, "sim.kubeconfig");
  sim = await startMeshsync(["sim", "--port", "0", "--scenario", "small", "--kubeconfig-out", simKubeconfig]);
  await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
  const config = parse(readFileSync(simKubeconfig, "utf8")) as Kubeconfig;
  const base = config.contexts[0]!;
  simContext = base.name;
  config.clusters.push({ name: "gone", cluster: { server: "http://127.0.0.1:1" } });
  config.contexts.push(
    { name: "same-cluster-other-namespace", context: { ...base.context, namespace: "kube-system" } },
    { name: "gone", context: { cluster: "gone", user: base.context.user } },
  );
  const kubeconfig = join(dir, "all.kubeconfig");
  writeFileSync(kubeconfig, stringify(config));
  serve = await startMeshsync(["serve", "--port", "0", "--kubeconfig", kubeconfig, "--all-contexts"]);
  graphqlUrl = `${serve.origin}/graphql`;
});

afterAll(async () => {
  await serve?.stop();
  await sim?.stop();
});

describe("meshsync serve --all-contexts", () => {
  it("becomes ready with the reachable cluster while a dead context keeps retrying", async () => {
    await eventually(
      async () => (await fetch(`${serve.origin}/readyz`)).status === 200,
      30_000,
      "serve ready",
    );
    const { clusters } = await queryData(graphqlUrl, ClustersDocument, {});
    // Whichever of the two contexts that reach the simulator answers first names the cluster.
    expect(clusters).toHaveLength(1);
    expect([simContext, "same-cluster-other-namespace"]).toContain(clusters[0]!.name);
    expect(serve.output()).toMatch(/"context":"gone".*cannot connect; retrying/);
  });

  it("syncs a cluster that two contexts reach only once", async () => {
    expect(serve.output()).toContain("context reaches a cluster already synced; skipped");
    const { syncStatus } = await queryData(graphqlUrl, SyncStatusDocument, {});
    const podTypes = syncStatus.filter((s) => s.typeName === "pods.v1.");
    expect(podTypes).toHaveLength(1);
    const pods = await queryData(graphqlUrl, ResourcesDocument, { filter: { kinds: ["Pod"] }, first: 1 });
    expect(pods.resources.totalCount).toBe(podTypes[0]!.objectCount);
    expect(pods.resources.totalCount).toBeGreaterThanOrEqual(50);
  });
});
