import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, namesOf, request, startEmpty, WatchReader } from "./sim-client.js";

const cms = "/api/v1/namespaces/default/configmaps";
const merge = { "content-type": "application/merge-patch+json" };

describe("simulator finalizers", () => {
  let sim: RunningSimulator;
  const readers: WatchReader[] = [];
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await sim?.close();
  });

  it("holds an object with a finalizer Terminating until the finalizer is removed", async () => {
    sim = await startEmpty();
    await request(sim, "POST", cms, {
      kind: "ConfigMap",
      metadata: { name: "held", finalizers: ["example.com/cleanup"] },
    });
    const watch = await WatchReader.open(sim, `${cms}?watch=1&resourceVersion=${sim.resourceVersion()}`);
    readers.push(watch);
    const deleted = await request(sim, "DELETE", `${cms}/held`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.kind).toBe("ConfigMap");
    const held = await get(sim, `${cms}/held`);
    expect(held.status).toBe(200);
    expect((held.body.metadata as { deletionTimestamp?: string }).deletionTimestamp).toBeTruthy();
    // Deleting again changes nothing; adding a finalizer now is forbidden.
    await request(sim, "DELETE", `${cms}/held`);
    const added = await request(
      sim,
      "PATCH",
      `${cms}/held`,
      { metadata: { finalizers: ["example.com/cleanup", "x.io/y"] } },
      merge,
    );
    expect(added.status).toBe(422);
    const released = await request(sim, "PATCH", `${cms}/held`, { metadata: { finalizers: null } }, merge);
    expect(released.status).toBe(200);
    expect((await get(sim, `${cms}/held`)).status).toBe(404);
    expect(namesOf(await watch.next(2))).toEqual(["MODIFIED:held", "DELETED:held"]);
  });

  it("lets the simulated controllers clear system finalizers at once", async () => {
    sim = await startEmpty();
    await request(sim, "POST", "/api/v1/namespaces/default/persistentvolumeclaims", {
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", finalizers: ["kubernetes.io/pvc-protection"] },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    await request(sim, "DELETE", "/api/v1/namespaces/default/persistentvolumeclaims/data");
    expect((await get(sim, "/api/v1/namespaces/default/persistentvolumeclaims/data")).status).toBe(404);
  });

  it("removes finalized objects with their namespace", async () => {
    sim = await startEmpty();
    await request(sim, "POST", "/api/v1/namespaces", { kind: "Namespace", metadata: { name: "tmp" } });
    await request(sim, "POST", "/api/v1/namespaces/tmp/configmaps", {
      kind: "ConfigMap",
      metadata: { name: "stuck", finalizers: ["example.com/cleanup"] },
    });
    await request(sim, "DELETE", "/api/v1/namespaces/tmp");
    expect((await get(sim, "/api/v1/namespaces/tmp/configmaps/stuck")).status).toBe(404);
  });
});
