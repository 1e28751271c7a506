import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, namesOf, request, startEmpty, WatchReader } from "./sim-client.js";

const deployments = "/apis/apps/v1/namespaces/default/deployments";
const replicaSets = "/apis/apps/v1/namespaces/default/replicasets";
const pods = "/api/v1/namespaces/default/pods";

function owned(
  kind: string,
  apiVersion: string,
  name: string,
  owner: { kind: string; name: string; uid: string },
) {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ownerReferences: [
        { apiVersion: "apps/v1", kind: owner.kind, name: owner.name, uid: owner.uid, controller: true },
      ],
    },
    spec:
      kind === "Pod"
        ? { containers: [{ name: "c", image: "i" }] }
        : { selector: { matchLabels: { app: "x" } } },
  };
}

async function createChain(sim: RunningSimulator) {
  const deployment = await request(sim, "POST", deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "x" } } },
  });
  const deploymentUid = (deployment.body.metadata as { uid: string }).uid;
  const rs = await request(
    sim,
    "POST",
    replicaSets,
    owned("ReplicaSet", "apps/v1", "web-1", { kind: "Deployment", name: "web", uid: deploymentUid }),
  );
  const rsUid = (rs.body.metadata as { uid: string }).uid;
  for (const name of ["web-1-a", "web-1-b"]) {
    await request(
      sim,
      "POST",
      pods,
      owned("Pod", "v1", name, { kind: "ReplicaSet", name: "web-1", uid: rsUid }),
    );
  }
  return { deploymentUid, rsUid };
}

describe("simulator garbage collection", () => {
  let sim: RunningSimulator;
  const readers: WatchReader[] = [];
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await sim?.close();
  });

  it("deletes what a deleted owner owned, owners first in resourceVersion order", async () => {
    sim = await startEmpty();
    await createChain(sim);
    const from = sim.resourceVersion();
    const podWatch = await WatchReader.open(sim, `${pods}?watch=1&resourceVersion=${from}`);
    readers.push(podWatch);
    expect((await request(sim, "DELETE", `${deployments}/web`)).status).toBe(200);
    expect((await get(sim, `${replicaSets}/web-1`)).status).toBe(404);
    expect(((await get(sim, pods)).body.items as unknown[]).length).toBe(0);
    expect(namesOf(await podWatch.next(2))).toEqual(["DELETED:web-1-a", "DELETED:web-1-b"]);
  });

  it("orphans dependents when asked, dropping only the owner reference", async () => {
    sim = await startEmpty();
    await createChain(sim);
    const deleted = await request(sim, "DELETE", `${replicaSets}/web-1`, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Orphan",
    });
    expect(deleted.status).toBe(200);
    const left = (await get(sim, pods)).body.items as {
      metadata: { name: string; ownerReferences?: unknown };
    }[];
    expect(left.map((pod) => pod.metadata.name)).toEqual(["web-1-a", "web-1-b"]);
    expect(left.every((pod) => pod.metadata.ownerReferences === undefined)).toBe(true);
    expect((await get(sim, `${deployments}/web`)).status).toBe(200);
  });

  it("collects through the programmatic api too, and keeps dependents that still have another owner", async () => {
    sim = await startEmpty();
    const { rsUid } = await createChain(sim);
    const shared = owned("Pod", "v1", "shared", { kind: "ReplicaSet", name: "web-1", uid: rsUid });
    shared.metadata.ownerReferences.push({
      apiVersion: "v1",
      kind: "Node",
      name: "n",
      uid: "node-uid",
      controller: false,
    });
    await request(sim, "POST", pods, shared);
    sim.api.delete("apps", "v1", "replicasets", "default", "web-1");
    const left = (await get(sim, pods)).body.items as {
      metadata: { name: string; ownerReferences: { uid: string }[] };
    }[];
    expect(left.map((pod) => pod.metadata.name)).toEqual(["shared"]);
    expect(left[0]!.metadata.ownerReferences.map((ref) => ref.uid)).toEqual(["node-uid"]);
  });

  it("rejects an unknown propagation policy", async () => {
    sim = await startEmpty();
    await createChain(sim);
    expect((await request(sim, "DELETE", `${deployments}/web?propagationPolicy=Sideways`)).status).toBe(422);
    expect((await get(sim, `${deployments}/web`)).status).toBe(200);
  });
});
