// A new namespace gets, a moment later, what a real cluster's controllers put in every namespace.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, namesOf, request, startEmpty, WatchReader } from "./sim-client.js";

/** GETs `path` until it answers 200, and returns that answer. */
function eventuallyFound(sim: RunningSimulator, path: string) {
  return vi.waitFor(
    async () => {
      const answer = await get(sim, path);
      if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
      return answer;
    },
    { timeout: 5000, interval: 10 },
  );
}

describe("namespace defaults", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("gives a new namespace its default ServiceAccount and root CA ConfigMap, after the namespace", async () => {
    sim = await startEmpty();
    const watch = await WatchReader.open(
      sim,
      `/api/v1/configmaps?watch=1&resourceVersion=${sim.resourceVersion()}`,
    );
    const created = await request(sim, "POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a" },
    });
    expect(created.status).toBe(201);
    const account = await eventuallyFound(sim, "/api/v1/namespaces/team-a/serviceaccounts/default");
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "team-a" },
    });
    const managers = (account.body.metadata as { managedFields?: { manager: string }[] }).managedFields ?? [];
    expect(managers.every((entry) => entry.manager === "kube-controller-manager")).toBe(true);
    const bundle = await get(sim, "/api/v1/namespaces/team-a/configmaps/kube-root-ca.crt");
    expect(bundle.status).toBe(200);
    // Every namespace holds the same bundle, the cluster's.
    const system = await get(sim, "/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt");
    const pem = (bundle.body.data as Record<string, string>)["ca.crt"];
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(pem).toBe((system.body.data as Record<string, string>)["ca.crt"]);
    const events = await watch.next(1);
    watch.close();
    expect(namesOf(events)).toEqual(["ADDED:kube-root-ca.crt"]);
    const namespaceVersion = Number((created.body.metadata as { resourceVersion: string }).resourceVersion);
    expect(Number(events[0]!.object.metadata?.resourceVersion)).toBeGreaterThan(namespaceVersion);
  });

  it("starts with the defaults in the namespaces it creates itself", async () => {
    sim = await startEmpty();
    for (const namespace of ["default", "kube-public", "kube-system", "kube-node-lease"]) {
      expect((await get(sim, `/api/v1/namespaces/${namespace}/serviceaccounts/default`)).status).toBe(200);
      expect((await get(sim, `/api/v1/namespaces/${namespace}/configmaps/kube-root-ca.crt`)).status).toBe(
        200,
      );
    }
  });

  it("does not replace what a client made first, and gives a namespace being deleted nothing", async () => {
    sim = await startEmpty();
    sim.api.create("", "v1", "namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "own" },
    });
    sim.api.create("", "v1", "serviceaccounts", {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "own", labels: { mine: "yes" } },
    });
    const bundle = await eventuallyFound(sim, "/api/v1/namespaces/own/configmaps/kube-root-ca.crt");
    expect(bundle.status).toBe(200);
    const account = await get(sim, "/api/v1/namespaces/own/serviceaccounts/default");
    expect((account.body.metadata as { labels?: Record<string, string> }).labels).toEqual({ mine: "yes" });

    // "witness" is filled in the same pass as "brief" would be: once it has its account, that pass is over.
    for (const name of ["brief", "witness"]) {
      sim.api.create("", "v1", "namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    sim.api.delete("", "v1", "namespaces", undefined, "brief");
    await eventuallyFound(sim, "/api/v1/namespaces/witness/serviceaccounts/default");
    const accounts = await get(sim, "/api/v1/serviceaccounts");
    const namespaces = (accounts.body.items as { metadata: { namespace: string } }[]).map(
      (item) => item.metadata.namespace,
    );
    expect(namespaces).not.toContain("brief");
  });
});
