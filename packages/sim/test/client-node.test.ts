// @kubernetes/client-node, the client meshsync uses, must treat the simulator as a real server.
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { startEmpty } from "./sim-client.js";

describe("client-node against the simulator", () => {
  let sim: RunningSimulator;
  let kc: KubeConfig;
  beforeAll(async () => {
    sim = await startEmpty();
    kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
  });
  afterAll(async () => {
    await sim.close();
  });

  it("creates and lists through the typed API", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "typed", labels: { via: "client-node" } }, data: { a: "1" } },
    });
    const list = await core.listNamespacedConfigMap({
      namespace: "default",
      labelSelector: "via=client-node",
    });
    expect(list.items.map((item) => item.metadata?.name)).toEqual(["typed"]);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((item) => item.metadata?.name)).toContain("kube-system");
    await expect(
      core.readNamespacedConfigMap({ namespace: "default", name: "absent" }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it("watches with client-node's Watch", async () => {
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          "/api/v1/namespaces/default/configmaps",
          { resourceVersion: String(sim.resourceVersion()), allowWatchBookmarks: true },
          (type: string, obj: V1ConfigMap) => {
            seen.push(`${type}:${obj.metadata?.name}`);
            if (type === "DELETED") resolve();
          },
          () => resolve(),
        )
        .then(async (controller) => {
          await done;
          controller.abort();
        });
    });
    for (let i = 0; i < 50 && sim.openWatches() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    sim.api.create("", "v1", "configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "w", namespace: "default" },
    });
    sim.api.delete("", "v1", "configmaps", "default", "w");
    await done;
    expect(seen).toEqual(["ADDED:w", "DELETED:w"]);
  });

  it("keeps an informer in sync", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, "/api/v1/namespaces/default/configmaps", () =>
      core.listNamespacedConfigMap({ namespace: "default" }),
    );
    const added = new Promise<void>((resolve) => {
      informer.on("add", (obj) => {
        if (obj.metadata?.name === "informed") resolve();
      });
    });
    await informer.start();
    sim.api.create("", "v1", "configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "informed", namespace: "default" },
    });
    await added;
    expect(informer.list("default").map((item) => item.metadata?.name)).toContain("informed");
    await informer.stop();
  });
});
