import { afterEach, describe, expect, it } from "vitest";
import { ClusterSync, type ClusterSyncOptions } from "../../src/kube/cluster-sync.js";
import type { DiscoveryResult } from "../../src/kube/discovery.js";
import { KubeApiError } from "../../src/kube/errors.js";
import type { KubeRequester } from "../../src/kube/http-client.js";
import { type ResourceType, resourceTypeName } from "../../src/kube/types.js";
import {
  cluster,
  configMap,
  FakeListerWatcher,
  type FakeWatchStream,
  RecordingSink,
  waitFor,
} from "./fakes.js";

function type(resource: string, group = "", version = "v1"): ResourceType {
  return { resource, group, version, kind: resource, namespaced: true, verbs: ["list", "watch"] };
}

const pods = type("pods");
const secrets = type("secrets");
const metrics = type("nodes", "metrics.k8s.io", "v1beta1");

/** Only the cluster's identity is read through the client; lists and watches go to the fakes. */
const identityOnlyClient: KubeRequester = {
  server: "http://identity-only",
  getJson: async (path) => {
    if (path === "/api/v1/namespaces/kube-system") return { metadata: { uid: cluster.id } };
    if (path === "/api/v1/namespaces") return { metadata: { resourceVersion: "1" }, items: [] };
    throw new Error(`not used: ${path}`);
  },
  getText: () => Promise.reject(new Error("not used")),
  openLines: () => Promise.reject(new Error("not used")),
  openBytes: () => Promise.reject(new Error("not used")),
  connectionOptions: () => Promise.reject(new Error("not used")),
  sendJson: () => Promise.reject(new Error("not used")),
};

const syncs: ClusterSync[] = [];
afterEach(async () => {
  await Promise.all(syncs.splice(0).map((sync) => sync.stop()));
});

function setUp(discoveries: DiscoveryResult[], options: Partial<ClusterSyncOptions> = {}) {
  const sink = new RecordingSink();
  const listerWatchers = new Map<string, FakeListerWatcher>();
  let discoveryCalls = 0;
  const sync = new ClusterSync({
    connection: { ref: cluster, context: "test", client: identityOnlyClient },
    sink,
    useMeshSyncResource: false,
    discoveryRefreshMs: 0,
    discover: async () => {
      const result = discoveries[Math.min(discoveryCalls, discoveries.length - 1)];
      discoveryCalls += 1;
      if (!result) throw new Error("no discovery scripted");
      return structuredClone(result);
    },
    listerWatcherFor: (t) => {
      const lw =
        t.group === "broken.example.com"
          ? new FakeListerWatcher(new Error("503 service unavailable"))
          : new FakeListerWatcher({
              items: [configMap(`${t.resource}-1`, `${t.resource}-uid`, "1")],
              resourceVersion: "1",
            });
      listerWatchers.set(resourceTypeName(t), lw);
      return lw;
    },
    ...options,
  });
  syncs.push(sync);
  return { sync, sink, listerWatchers, discoveryCalls: () => discoveryCalls };
}

describe("ClusterSync", () => {
  it("is ready once every discovered type has listed", async () => {
    const { sync, listerWatchers } = setUp([{ types: [pods, secrets], failed: [] }]);
    expect(sync.isReady()).toBe(false);
    sync.start();
    await sync.ready;
    expect(sync.isReady()).toBe(true);
    expect(sync.resourceTypes().map(resourceTypeName).sort()).toEqual(["pods.v1.", "secrets.v1."]);
    expect([...listerWatchers.keys()].sort()).toEqual(["pods.v1.", "secrets.v1."]);
  });

  it("becomes ready without a type the credentials may not list, and says so in its status", async () => {
    const { sync } = setUp([{ types: [pods, secrets], failed: [] }], {
      listerWatcherFor: (t) =>
        t.resource === "secrets"
          ? new FakeListerWatcher(new KubeApiError(403, 'secrets is forbidden: User "meshsync" cannot list'))
          : new FakeListerWatcher({ items: [configMap("p", "p-uid", "1")], resourceVersion: "1" }),
    });
    sync.start();
    await sync.ready;
    expect(sync.isReady()).toBe(true);
    const bySecrets = sync.status().find((s) => s.typeName === "secrets.v1.");
    expect(bySecrets).toMatchObject({ forbidden: true, hasSynced: false, phase: "error" });
    expect(sync.status().find((s) => s.typeName === "pods.v1.")).toMatchObject({
      hasSynced: true,
      forbidden: false,
    });
  });

  it("is not ready while a type fails for any other reason", async () => {
    const { sync } = setUp([{ types: [pods, secrets], failed: [] }], {
      listerWatcherFor: (t) =>
        t.resource === "secrets"
          ? new FakeListerWatcher(new KubeApiError(500, "etcd is unhappy"))
          : new FakeListerWatcher({ items: [configMap("p", "p-uid", "1")], resourceVersion: "1" }),
    });
    sync.start();
    await waitFor(
      () => sync.status().find((s) => s.typeName === "pods.v1.")?.hasSynced === true,
      "pods synced",
    );
    await waitFor(
      () => sync.status().find((s) => s.typeName === "secrets.v1.")?.phase === "backoff",
      "secrets backing off",
    );
    expect(sync.isReady()).toBe(false);
  });

  it("starts a reflector for a type that appears and stops one that goes, leaving the others alone", async () => {
    const { sync, sink, listerWatchers } = setUp([
      { types: [pods], failed: [] },
      { types: [pods, metrics], failed: [] },
      { types: [pods], failed: [] },
    ]);
    sync.start();
    await sync.ready;
    const podsWatch: FakeWatchStream = await listerWatchers.get("pods.v1.")!.nextWatch();

    await sync.refresh();
    expect(sync.resourceTypes().map(resourceTypeName)).toEqual(["pods.v1.", "nodes.v1beta1.metrics.k8s.io"]);
    await waitFor(
      () => sync.reflectorFor("nodes.v1beta1.metrics.k8s.io")?.status().hasSynced === true,
      "metrics list",
    );

    await sync.refresh();
    expect(sync.resourceTypes().map(resourceTypeName)).toEqual(["pods.v1."]);
    // The removed type's objects are dropped by retaining none of them.
    expect(sink.calls.at(-1)).toEqual({ op: "retain", uids: [] });
    expect(podsWatch.closed).toBe(false);
    expect(listerWatchers.get("pods.v1.")?.listCalls).toHaveLength(1);
    expect(sync.reflectorFor("pods.v1.")?.relistCount).toBe(0);
  });

  it("watches a type re-created under the same name in another shape afresh, dropping the old one's objects", async () => {
    const widgets: ResourceType = { ...type("widgets", "example.com"), kind: "Widget" };
    const gadgets: ResourceType = { ...widgets, kind: "Gadget", namespaced: false };
    const kinds: string[] = [];
    const { sync, sink } = setUp([
      { types: [widgets], failed: [] },
      { types: [gadgets], failed: [] },
      { types: [{ ...gadgets, verbs: ["watch", "list"] }], failed: [] },
      { types: [{ ...gadgets, verbs: ["list", "watch", "delete"] }], failed: [] },
    ]);
    const retain = sink.retain.bind(sink);
    sink.retain = (c, t, uids) => {
      kinds.push(`${t.kind}:${uids.size}`);
      retain(c, t, uids);
    };
    sync.start();
    await sync.ready;

    await sync.refresh();
    const now = () => sync.reflectorFor("widgets.v1.example.com");
    expect(now()?.type).toMatchObject({ kind: "Gadget", namespaced: false });
    await waitFor(() => now()?.status().hasSynced === true, "the new type's list");
    // The old type's objects go first, so the new list is not emptied after it arrives.
    expect(kinds).toEqual(["Widget:1", "Widget:0", "Gadget:1"]);

    const reflector = now();
    await sync.refresh();
    expect(now()).toBe(reflector);

    await sync.refresh();
    expect(now()).not.toBe(reflector);
    expect(now()?.type.verbs).toEqual(["list", "watch", "delete"]);
  });

  it("keeps the watches of a group whose discovery failed", async () => {
    const { sync } = setUp([
      { types: [pods, metrics], failed: [] },
      { types: [pods], failed: [{ groupVersion: "metrics.k8s.io/v1beta1", error: "503" }] },
    ]);
    sync.start();
    await sync.ready;
    await sync.refresh();
    expect(sync.resourceTypes().map(resourceTypeName)).toContain("nodes.v1beta1.metrics.k8s.io");
    expect(sync.clusterState().unavailableGroupVersions).toEqual(["metrics.k8s.io/v1beta1"]);
  });

  it("becomes ready when a type that never listed goes away", async () => {
    const broken = type("things", "broken.example.com");
    const { sync } = setUp([
      { types: [pods, broken], failed: [] },
      { types: [pods], failed: [] },
    ]);
    sync.start();
    await waitFor(
      () => sync.reflectorFor("things.v1.broken.example.com")?.status().phase === "backoff",
      "the failing list",
    );
    expect(sync.isReady()).toBe(false);
    await sync.refresh();
    await sync.ready;
    expect(sync.isReady()).toBe(true);
  });

  it("retries discovery until it works", async () => {
    let calls = 0;
    const { sync } = setUp([], {
      discover: async () => {
        calls += 1;
        if (calls < 3) throw new Error("connection refused");
        return { types: [pods], failed: [] };
      },
      sleep: async () => {},
    });
    sync.start();
    await sync.ready;
    expect(calls).toBe(3);
    expect(sync.clusterState()).toMatchObject({ discovered: true, discoveryError: undefined, ready: true });
  });

  it("runs a resync asked for during start-up after the first discovery, never alongside it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let active = 0;
    let mostAtOnce = 0;
    let calls = 0;
    const { sync } = setUp([], {
      discover: async () => {
        calls += 1;
        active += 1;
        mostAtOnce = Math.max(mostAtOnce, active);
        // The first discovery is slow and sees an older picture than the one after it.
        const types = calls === 1 ? [pods] : [pods, secrets];
        if (calls === 1) await gate;
        active -= 1;
        return { types, failed: [] };
      },
    });
    sync.start();
    await waitFor(() => calls === 1, "the first discovery to start");
    sync.resync();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await sync.ready;
    await sync.refresh();
    expect(mostAtOnce).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(sync.resourceTypes().map(resourceTypeName).sort()).toEqual(["pods.v1.", "secrets.v1."]);
  });

  it("applies the selection, passing on only the whitelisted events", async () => {
    const { sync, sink, listerWatchers } = setUp([{ types: [pods, secrets], failed: [] }], {
      selection: { whitelist: [{ Resource: "pods.v1.", Events: ["DELETED"] }] },
    });
    sync.start();
    await sync.ready;
    expect(sync.resourceTypes().map(resourceTypeName)).toEqual(["pods.v1."]);
    const watch = await listerWatchers.get("pods.v1.")!.nextWatch();
    watch.push({ type: "ADDED", object: configMap("new", "new-uid", "2") });
    watch.push({ type: "DELETED", object: configMap("pods-1", "pods-uid", "3") });
    await waitFor(() => sink.calls.some((call) => call.op === "delete"), "the delete");
    // The list's own upsert of pods-uid aside, only the DELETED came through: the ADDED did not.
    const fromWatch = sink.calls.filter(
      (call) => call.op === "delete" || (call.op === "upsert" && call.uid === "new-uid"),
    );
    expect(fromWatch).toEqual([{ op: "delete", uid: "pods-uid" }]);
  });

  it("relists every type on resync", async () => {
    const { sync } = setUp([{ types: [pods, secrets], failed: [] }]);
    sync.start();
    await sync.ready;
    sync.resync();
    await waitFor(() => sync.status().every((status) => status.relistCount === 1), "both relists");
  });

  it("stop closes every stream and ends every reflector", async () => {
    const { sync, listerWatchers } = setUp([{ types: [pods, secrets], failed: [] }]);
    sync.start();
    await sync.ready;
    const watches = await Promise.all([...listerWatchers.values()].map((lw) => lw.nextWatch()));
    await sync.stop();
    expect(watches.every((watch) => watch.closed)).toBe(true);
    expect(sync.status().every((status) => status.phase === "stopped")).toBe(true);
  });
});
