// The explorer's questions against a real `meshsync serve` process syncing a simulator, checked against
// kubectl's view of the same simulator: one object by identity, counts by kind, the server's version,
// and sync status as a subscription while a list is held back (listing, then watching).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningSimulator, startSimulator } from "@meshsync/sim";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClusterVersionsDocument,
  ResourceByIdentityDocument,
  ResourceCountsDocument,
  SyncStatusChangesDocument,
  type SyncStatusChangesSubscription,
} from "../generated/graphql.js";
import { queryData, subscribe } from "../support/graphql-client.js";
import { hasKubectl, kubectlWith } from "../support/kubectl.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

// Long enough to subscribe while ConfigMaps are still being listed.
const listDelayMs = 4_000;

let sim: RunningSimulator;
let serve: RunningProcess;
let kubeconfig: string;
let graphqlUrl: string;
let subscription: ReturnType<typeof subscribe<SyncStatusChangesSubscription, object>> | undefined;

function kubectl(...args: string[]): Promise<string> {
  return kubectlWith(kubeconfig, ...args);
}

beforeAll(async () => {
  sim = await startSimulator({
    scenario: "demo",
    seed: 3,
    faults: [{ action: "delay", ms: listDelayMs, count: 1, path: "^/api/v1/configmaps\\?limit=" }],
  });
  kubeconfig = join(tempDir("meshsync-explorer-"), "sim.kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  serve = await startMeshsync(["serve", "--port", "0", "--kubeconfig", kubeconfig]);
  graphqlUrl = `${serve.origin}/graphql`;
  // Subscribed at once, so that the held-back list is seen from its start.
  subscription = subscribe(graphqlUrl, SyncStatusChangesDocument, {});
});

afterAll(async () => {
  await subscription?.close();
  await serve?.stop();
  await sim?.close();
});

describe("sync status as a subscription", () => {
  it("shows a type listing, then watching, over graphql-ws", async () => {
    const phases: string[] = [];
    const deadline = Date.now() + listDelayMs + 20_000;
    while (!phases.some((phase) => phase.startsWith("watching")) && Date.now() < deadline) {
      const { syncStatus } = await subscription!.next(deadline - Date.now());
      if (syncStatus.typeName === "configmaps.v1.")
        phases.push(`${syncStatus.phase}${syncStatus.synced ? " synced" : ""}`);
    }
    expect(phases[0]).toBe("listing");
    expect(phases.at(-1)).toBe("watching synced");
  });
});

describe("against kubectl's view of the same simulator", () => {
  beforeAll(async () => {
    await eventually(
      async () => (await fetch(`${serve.origin}/readyz`)).status === 200,
      30_000,
      "serve ready",
    );
  });

  it("reports the API server's version as kubectl version does", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const version = JSON.parse(await kubectl("version", "-o", "json")) as {
      serverVersion: { gitVersion: string };
    };
    const { clusters } = await queryData(graphqlUrl, ClusterVersionsDocument, {});
    expect(clusters).toEqual([
      {
        id: expect.any(String),
        serverVersion: version.serverVersion.gitVersion,
        reachable: true,
        lastError: null,
      },
    ]);
  });

  it("reads a pod by identity as kubectl get pod gives it, and counts pods as kubectl lists them", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const listed = JSON.parse(await kubectl("get", "pods", "-A", "-o", "json")) as {
      items: { metadata: { name: string; namespace: string; uid: string } }[];
    };
    const pod = listed.items[0]!.metadata;
    const { clusters } = await queryData(graphqlUrl, ClusterVersionsDocument, {});
    const found = await queryData(graphqlUrl, ResourceByIdentityDocument, {
      clusterId: clusters[0]!.id,
      apiVersion: "v1",
      kind: "po",
      namespace: pod.namespace,
      name: pod.name,
    });
    expect(found.resource).toMatchObject({ uid: pod.uid, name: pod.name, namespace: pod.namespace });
    // The demo churns nothing here (no --churn), so both views hold the same pods.
    const counts = await queryData(graphqlUrl, ResourceCountsDocument, {
      by: "KIND",
      filter: { kinds: ["pods"] },
    });
    expect(counts.resourceCounts).toEqual([
      { clusterId: null, namespace: null, apiVersion: "v1", kind: "Pod", count: listed.items.length },
    ]);
  });
});
