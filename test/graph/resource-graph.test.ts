import { generateScenario } from "@meshsync/sim";
import { describe, expect, it } from "vitest";
import { FilterError, ResourceGraph, type ResourcePage } from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const cluster: ClusterRef = { id: "cluster-a", name: "ctx-a" };
const pods = resourceType("pods", "Pod");
const secrets = resourceType("secrets", "Secret");

function pod(
  name: string,
  rv: string,
  extra: Partial<KubeObject> = {},
  labels: Record<string, string> = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: rv,
      labels,
      managedFields: [{ manager: "kubectl" }],
    },
    spec: { nodeName: "node-1" },
    status: { phase: "Running" },
    ...extra,
  };
}

function changes(graph: ResourceGraph) {
  return (graph.log.changesSince(0) ?? []).map(
    (c) => `${c.type} ${c.resource.name}@${c.resource.resourceVersion}`,
  );
}

describe("ResourceGraph as a sink", () => {
  it("records ADDED, MODIFIED and DELETED, and ignores a replay of the same resourceVersion", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("a", "1"));
    graph.upsert(cluster, pods, pod("a", "1"));
    graph.upsert(cluster, pods, pod("a", "2"));
    graph.delete(cluster, pods, pod("a", "3"));
    graph.delete(cluster, pods, pod("a", "3"));
    expect(changes(graph)).toEqual(["ADDED a@1", "MODIFIED a@2", "DELETED a@3"]);
    expect(graph.size).toBe(0);
    const [added, modified, deleted] = graph.log.changesSince(0) ?? [];
    expect(added?.previous).toBeUndefined();
    expect(modified?.previous).toEqual({
      clusterId: "cluster-a",
      uid: "uid-a",
      apiVersion: "v1",
      kind: "Pod",
      namespace: "default",
      name: "a",
      labels: {},
      annotations: {},
      ownerReferences: [],
      // An unset hostNetwork selects as "false", as on the real server.
      fields: { "spec.hostNetwork": "false", "spec.nodeName": "node-1", "status.phase": "Running" },
    });
    expect(deleted?.previous).toBeUndefined();
  });

  it("drops the old object, through the log, when the same name comes back with a new uid", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("a", "5"));
    graph.upsert(cluster, pods, { ...pod("a", "9"), metadata: { ...pod("a", "9").metadata, uid: "uid-a2" } });
    expect(changes(graph)).toEqual(["ADDED a@5", "DELETED a@5", "ADDED a@9"]);
    expect(graph.size).toBe(1);
    expect(graph.get(`${cluster.id}/uid-a`)).toBeUndefined();
    expect(graph.get(`${cluster.id}/uid-a2`)?.resourceVersion).toBe("9");
    // The same name in another namespace, type or cluster is another object.
    graph.upsert(cluster, pods, {
      ...pod("a", "10"),
      metadata: { ...pod("a", "10").metadata, namespace: "other", uid: "uid-a3" },
    });
    graph.upsert(cluster, secrets, {
      ...pod("a", "11"),
      metadata: { ...pod("a", "11").metadata, uid: "uid-a4" },
    });
    graph.upsert({ id: "cluster-b", name: "b" }, pods, pod("a", "12"));
    expect(graph.size).toBe(4);
  });

  it("fills kind and apiVersion from the type, drops managedFields, keys by cluster and uid", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("a", "1"));
    const stored = graph.get("cluster-a/uid-a");
    expect(stored?.kind).toBe("Pod");
    expect(stored?.apiVersion).toBe("v1");
    expect(stored?.typeName).toBe("pods.v1.");
    expect(stored?.object.kind).toBe("Pod");
    expect(stored?.object.metadata?.managedFields).toBeUndefined();
  });

  it("replace diffs against what the type held: vanished objects are deleted, others kept", () => {
    const graph = new ResourceGraph();
    graph.replace(cluster, pods, [pod("a", "1"), pod("b", "2")]);
    graph.upsert(cluster, secrets, {
      metadata: { name: "s", namespace: "default", uid: "uid-s", resourceVersion: "3" },
    });
    graph.replace(cluster, pods, [pod("b", "2"), pod("c", "4")]);
    expect(changes(graph)).toEqual(["ADDED a@1", "ADDED b@2", "ADDED s@3", "ADDED c@4", "DELETED a@1"]);
    expect(graph.countOfType(cluster.id, pods)).toBe(2);
    expect(graph.countOfType(cluster.id, secrets)).toBe(1);
  });

  it("refuses objects without uid or metadata and reports them", () => {
    const rejected: string[] = [];
    const graph = new ResourceGraph({ onRejected: (e) => rejected.push(e.message) });
    graph.upsert(cluster, pods, { metadata: { name: "no-uid" } });
    graph.upsert(cluster, pods, { kind: "Pod" });
    graph.replace(cluster, pods, [pod("ok", "1"), { metadata: { uid: "no-name" } }]);
    expect(graph.size).toBe(1);
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toContain("no metadata.uid");
  });

  it("redacts Secret values unless told to reveal them", () => {
    const secret = {
      metadata: { name: "s", namespace: "default", uid: "u", resourceVersion: "1" },
      data: { password: "aHVudGVyMg==" },
    };
    const hidden = new ResourceGraph();
    hidden.upsert(cluster, secrets, secret);
    expect(hidden.get("cluster-a/u")?.object.data).toEqual({ password: "" });
    const shown = new ResourceGraph({ revealSecrets: true });
    shown.upsert(cluster, secrets, secret);
    expect(shown.get("cluster-a/u")?.object.data).toEqual({ password: "aHVudGVyMg==" });
  });

  it("removing a cluster deletes its objects through the log", () => {
    const graph = new ResourceGraph();
    const other: ClusterRef = { id: "cluster-b", name: "ctx-b" };
    graph.upsert(cluster, pods, pod("a", "1"));
    graph.upsert(other, pods, pod("a", "1"));
    graph.removeCluster(cluster);
    expect(graph.size).toBe(1);
    expect(graph.clusters().map((c) => c.id)).toEqual(["cluster-b"]);
    expect(graph.log.changesSince(2)?.map((c) => c.type)).toEqual(["DELETED"]);
  });

  it("indexes owners", () => {
    const graph = new ResourceGraph();
    const owned = pod("child", "2");
    owned.metadata!.ownerReferences = [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid" },
    ];
    graph.upsert(cluster, pods, owned);
    expect(graph.ownedBy("cluster-a/rs-uid").map((r) => r.name)).toEqual(["child"]);
  });
});

describe("ResourceGraph.list", () => {
  const graph = new ResourceGraph();
  for (let i = 0; i < 10; i++) {
    graph.upsert(cluster, pods, pod(`p${i}`, `${i + 1}`, {}, { app: i % 2 === 0 ? "even" : "odd" }));
  }
  graph.upsert(cluster, secrets, {
    metadata: { name: "s", namespace: "kube-system", uid: "uid-s", resourceVersion: "99" },
  });

  it("pages through everything in a stable order with no overlap", () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = graph.list({}, { first: 4, after });
      expect(page.totalCount).toBe(11);
      seen.push(...page.items.map((r) => r.name));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "s"]);
  });

  it("filters by kind, namespace, labels, fields and name text", () => {
    expect(graph.list({ kinds: ["Secret"] }).items.map((r) => r.name)).toEqual(["s"]);
    expect(graph.list({ namespaces: ["default"] }).totalCount).toBe(10);
    expect(graph.list({ labelSelector: "app=even" }).totalCount).toBe(5);
    expect(
      graph.list({ fieldSelector: "status.phase=Running,metadata.name=p3" }).items.map((r) => r.name),
    ).toEqual(["p3"]);
    expect(graph.list({ search: "P1" }).items.map((r) => r.name)).toEqual(["p1"]);
    expect(graph.list({ kinds: ["Pod"], namespaces: ["kube-system"] }).totalCount).toBe(0);
  });

  it("selects on the fields Kubernetes allows per kind, and refuses others as it does", () => {
    expect(graph.list({ fieldSelector: "spec.nodeName=node-1" }).totalCount).toBe(10);
    expect(graph.list({ fieldSelector: "spec.nodeName!=node-1" }).items.map((r) => r.name)).toEqual(["s"]);
    expect(() => graph.list({ fieldSelector: "spec.containers=x" })).toThrow(
      /field label not supported: spec.containers/,
    );
  });

  it("reports the sequence the page was read at and rejects bad selectors clearly", () => {
    expect(graph.list({}).sequence).toBe(graph.log.sequence);
    expect(() => graph.list({ labelSelector: "app in (" })).toThrow(FilterError);
    expect(() => graph.list({}, { after: "not-a-cursor" })).toThrow(/not a cursor/);
  });
});

describe("ResourceGraph.list paging edge cases", () => {
  const graph = new ResourceGraph();
  const names = ["d", "a", "c", "b", "e"];
  for (const [i, name] of names.entries()) graph.upsert(cluster, pods, pod(name, `${i + 1}`));

  it("returns the first k in order whatever the insertion order", () => {
    const page = graph.list({}, { first: 2 });
    expect(page.items.map((r) => r.name)).toEqual(["a", "b"]);
    expect(page.hasNextPage).toBe(true);
    const rest = graph.list({}, { first: 10, after: page.endCursor });
    expect(rest.items.map((r) => r.name)).toEqual(["c", "d", "e"]);
    expect(rest.hasNextPage).toBe(false);
    expect(rest.totalCount).toBe(5);
  });

  it("gives an empty page for first: 0 and keeps the count", () => {
    const page = graph.list({}, { first: 0 });
    expect(page.items).toEqual([]);
    expect(page.totalCount).toBe(5);
    expect(page.hasNextPage).toBe(true);
    expect(page.endCursor).toBeNull();
  });

  it("survives the object behind a cursor being deleted", () => {
    const first = graph.list({}, { first: 2 });
    graph.delete(cluster, pods, pod("b", "9"));
    expect(graph.list({}, { first: 10, after: first.endCursor }).items.map((r) => r.name)).toEqual([
      "c",
      "d",
      "e",
    ]);
  });
});

describe("ResourceGraph indexes follow changes", () => {
  it("finds an object by its new labels, namespace-free kind and cluster after a MODIFIED", () => {
    const graph = new ResourceGraph();
    const other: ClusterRef = { id: "cluster-b", name: "ctx-b" };
    graph.upsert(cluster, pods, pod("a", "1", {}, { app: "x" }));
    graph.upsert(other, pods, pod("b", "1", {}, { app: "x" }));
    graph.upsert(cluster, pods, pod("a", "2", {}, { app: "y", tier: "web" }));
    expect(graph.list({ labelSelector: "app=x" }).items.map((r) => r.name)).toEqual(["b"]);
    expect(graph.list({ labelSelector: "app==y,tier" }).items.map((r) => r.name)).toEqual(["a"]);
    expect(graph.list({ labelSelector: "app=x", clusterIds: ["cluster-a"] }).totalCount).toBe(0);
    expect(graph.list({ clusterIds: ["cluster-b"], kinds: ["Pod"] }).items.map((r) => r.name)).toEqual(["b"]);
    graph.delete(other, pods, pod("b", "2"));
    expect(graph.list({ labelSelector: "app in (x, y)" }).items.map((r) => r.name)).toEqual(["a"]);
  });
});

describe("the compact form", () => {
  it("gives back the whole object, minus managedFields, as a fresh copy each time", () => {
    const graph = new ResourceGraph();
    const input = pod(
      "a",
      "1",
      { spec: { nodeName: "n1", containers: [{ name: "c", image: "nginx" }] } },
      { app: "x" },
    );
    input.metadata!.annotations = { note: "kept" };
    input.metadata!.ownerReferences = [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid" },
    ];
    graph.upsert(cluster, pods, input);
    const stored = graph.get("cluster-a/uid-a")!;
    const { managedFields: _dropped, ...expectedMeta } = input.metadata!;
    expect(stored.object).toEqual({ ...input, apiVersion: "v1", kind: "Pod", metadata: expectedMeta });
    const copy = stored.object;
    (copy.metadata!.labels as Record<string, string>).app = "changed";
    (copy.spec as { nodeName: string }).nodeName = "changed";
    expect(stored.object.metadata?.labels).toEqual({ app: "x" });
    expect((stored.object.spec as { nodeName: string }).nodeName).toBe("n1");
    expect(stored.labels).toEqual({ app: "x" });
  });

  it("gives the object's JSON text without parsing it, exactly as JSON.stringify(object) writes it", () => {
    const graph = new ResourceGraph();
    const odd: KubeObject[] = [
      // Metadata with nothing but what the graph holds apart, and members before and after it.
      { kind: "Pod", spec: { a: 1 }, metadata: { name: "m", uid: "u-m", labels: { a: "b" } }, status: {} },
      { metadata: { name: "n", uid: "u-n" } },
      {
        apiVersion: "v1",
        metadata: {
          name: "o",
          uid: "u-o",
          ownerReferences: [{ apiVersion: "v1", kind: "K", name: "k", uid: "x" }],
        },
        z: [1, "\u2028"],
      },
      { metadata: { name: "p", uid: "u-p", annotations: { "a/b": '"quoted"' }, namespace: "q" }, data: null },
    ];
    for (const object of odd) graph.upsert(cluster, pods, object);
    graph.upsert(cluster, secrets, {
      metadata: { name: "s", uid: "u-s", labels: { l: "v" } },
      data: { password: "c2VjcmV0" },
    });
    for (const object of generateScenario("small", 3)) {
      graph.upsert(
        cluster,
        resourceType(`${String(object.kind).toLowerCase()}s`, String(object.kind)),
        object,
      );
    }
    const all = graph.list().items;
    expect(all.length).toBeGreaterThan(200);
    for (const stored of all) expect(stored.objectText).toBe(JSON.stringify(stored.object));
  });
});

describe("deletes and Secrets, as clients see them", () => {
  it("keeps the last known state for a delete that carries no resourceVersion", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("a", "5", {}, { app: "x" }));
    graph.delete(cluster, pods, { metadata: { name: "a", namespace: "default", uid: "uid-a" } });
    const deleted = graph.log.changesSince(1)?.[0];
    expect(deleted?.type).toBe("DELETED");
    expect(deleted?.resource.resourceVersion).toBe("5");
    expect(deleted?.resource.labels).toEqual({ app: "x" });
  });

  it("blanks the copy of a Secret's data that kubectl apply keeps in an annotation", () => {
    const data = { password: "aHVudGVyMg==" };
    const applied = JSON.stringify({ apiVersion: "v1", kind: "Secret", data, metadata: { name: "s" } });
    const secret = {
      data,
      metadata: {
        name: "s",
        namespace: "default",
        uid: "u",
        resourceVersion: "1",
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": applied, team: "db" },
      },
    };
    const graph = new ResourceGraph();
    graph.upsert(cluster, secrets, secret);
    const stored = graph.get("cluster-a/u")!;
    expect(JSON.stringify(stored.object)).not.toContain("aHVudGVyMg==");
    expect(JSON.stringify(stored.annotations)).not.toContain("aHVudGVyMg==");
    const kept = JSON.parse(stored.annotations["kubectl.kubernetes.io/last-applied-configuration"]!);
    expect(kept.data).toEqual({ password: "" });
    expect(stored.annotations.team).toBe("db");

    const unreadable = {
      ...secret,
      metadata: {
        ...secret.metadata,
        uid: "u2",
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{not json aHVudGVyMg==" },
      },
    };
    graph.upsert(cluster, secrets, unreadable);
    expect(graph.get("cluster-a/u2")!.annotations).toEqual({});

    const revealing = new ResourceGraph({ revealSecrets: true });
    revealing.upsert(cluster, secrets, secret);
    expect(
      revealing.get("cluster-a/u")!.annotations["kubectl.kubernetes.io/last-applied-configuration"],
    ).toBe(applied);
  });
});

describe("ResourceGraph.listInSlices", () => {
  /** More objects than one slice reads before it looks at the clock, so that a 0 ms slice must yield. */
  function graphOf(count: number): ResourceGraph {
    const graph = new ResourceGraph();
    for (let i = 0; i < count; i++) {
      graph.upsert(cluster, pods, pod(`p${String(i).padStart(4, "0")}`, "1", {}, { app: `a${i % 3}` }));
    }
    return graph;
  }

  /** A page as a client sees it: its items, each one's cursor, and what it says of the rest. */
  const seen = (page: ResourcePage) => {
    const { cursorOf, ...rest } = page;
    return { ...rest, cursors: page.items.map(cursorOf) };
  };

  it("gives the page list gives, cursor and count included", async () => {
    const graph = graphOf(2000);
    for (const [filter, page] of [
      [{}, { first: 50 }],
      [{ labelSelector: "app!=a1" }, { first: 10 }],
      [{ kinds: ["Pod"], search: "p01" }, { first: 1000 }],
    ] as const) {
      const whole = graph.list(filter, page);
      const sliced = await graph.listInSlices(filter, page, 0);
      expect(seen(sliced)).toEqual(seen(whole));
      const next = { first: 7, after: whole.endCursor };
      expect(seen(await graph.listInSlices(filter, next, 0))).toEqual(seen(graph.list(filter, next)));
    }
  });

  it("lets other work run between its slices", async () => {
    const graph = graphOf(2000);
    let ranBeforeTheEnd = false;
    const reading = graph.listInSlices({}, { first: 10 }, 0).then((page) => {
      expect(ranBeforeTheEnd).toBe(true);
      return page;
    });
    setImmediate(() => {
      ranBeforeTheEnd = true;
    });
    expect((await reading).totalCount).toBe(2000);
  });

  it("reads the graph as it was at the page's sequence, whatever changes while it reads", async () => {
    const graph = graphOf(2000);
    const before = graph.list({ labelSelector: "app=a0" }, { first: 1000 });
    const reading = graph.listInSlices({ labelSelector: "app=a0" }, { first: 1000 }, 0);
    // Changes committed while the scan waits for its next slice: a delete, a relabel, a modification
    // and an addition, early and late in the slice's order.
    graph.delete(cluster, pods, pod("p1998", "2"));
    graph.upsert(cluster, pods, pod("p0003", "2", {}, { app: "a1" }));
    graph.upsert(cluster, pods, pod("p1500", "2", {}, { app: "a0", changed: "yes" }));
    graph.upsert(cluster, pods, pod("new", "1", {}, { app: "a0" }));
    const page = await reading;
    expect(page.sequence).toBe(before.sequence);
    expect(seen(page)).toEqual(seen(before));
    expect(page.items.find((r) => r.name === "p1500")?.labels).toEqual({ app: "a0" });
  });
});

describe("ResourceGraph.scanSize", () => {
  const graph = new ResourceGraph();
  for (let i = 0; i < 6; i++)
    graph.upsert(cluster, pods, pod(`p${i}`, "1", {}, { app: i < 2 ? "web" : "db" }));
  graph.upsert(cluster, secrets, {
    metadata: { name: "s", namespace: "other", uid: "uid-s", resourceVersion: "1" },
  });

  it("is every object when nothing narrows, and the smallest index slice otherwise", () => {
    expect(graph.scanSize({})).toBe(7);
    expect(graph.scanSize({ search: "p", labelSelector: "app!=web" })).toBe(7);
    expect(graph.scanSize({ kinds: ["Pod"] })).toBe(6);
    expect(graph.scanSize({ kinds: ["Pod"], namespaces: ["other"] })).toBe(1);
    expect(graph.scanSize({ kinds: ["Pod"], labelSelector: "app=web,tier!=x" })).toBe(2);
  });

  it("reads the kinds as kubectl names them, and refuses one no type answers to before anything is scanned", () => {
    expect(graph.scanSize({ kinds: ["pod"] })).toBe(6);
    expect(graph.scanSize({ kinds: ["pods", "secret"] })).toBe(7);
    expect(() => graph.scanSize({ kinds: ["Nothing"] })).toThrow(FilterError);
  });

  it("counts every value of a list once", () => {
    expect(graph.scanSize({ kinds: ["Pod", "Secret", "Pod"] })).toBe(7);
    expect(graph.scanSize({ namespaces: ["default", "other"], labelSelector: "app in (web)" })).toBe(2);
  });

  it("refuses a selector that does not compile, as a list does", () => {
    expect(() => graph.scanSize({ labelSelector: "app in (" })).toThrow(FilterError);
  });
});

describe("ResourceGraph's change log under churn", () => {
  it("keeps no more superseded versions than its byte bound, whatever the churn", () => {
    const graph = new ResourceGraph({ retainedChanges: 100_000, retainedChangeBytes: 20_000 });
    const padding = { data: { blob: "x".repeat(1000) } };
    for (let rv = 1; rv <= 2000; rv++) graph.upsert(cluster, pods, pod(`p${rv % 10}`, String(rv), padding));
    graph.delete(cluster, pods, pod("p1", "2001", padding));
    expect(graph.log.retainedBytes).toBeLessThanOrEqual(20_000);
    expect(graph.log.oldestRetained).toBeGreaterThan(1900);
    // What is retained is still contiguous and resumable: the newest changes, up to the last one.
    const retained = graph.log.changesSince(graph.log.oldestRetained - 1) ?? [];
    expect(retained.at(-1)?.type).toBe("DELETED");
    expect(retained.length).toBe(graph.log.sequence - graph.log.oldestRetained + 1);
  });
});

describe("a deletion as a replica takes it from a stream", () => {
  it("is committed, with its sequence, even for an object the graph never held", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("kept", "1"));
    graph.deleteAsReplicated(cluster, pods, pod("never-seen", "7"));
    expect(graph.log.sequence).toBe(2);
    const change = graph.log.changesSince(1)?.[0];
    expect(change?.type).toBe("DELETED");
    expect(change?.resource.name).toBe("never-seen");
    expect(change?.resource.resourceVersion).toBe("7");
    expect([...graph.all()].map((r) => r.name)).toEqual(["kept"]);
  });

  it("is an ordinary delete of an object the graph holds", () => {
    const graph = new ResourceGraph();
    graph.upsert(cluster, pods, pod("web", "1"));
    graph.deleteAsReplicated(cluster, pods, pod("web", "2"));
    expect([...graph.all()]).toEqual([]);
    expect(graph.log.changesSince(1)?.map((c) => `${c.type} ${c.resource.resourceVersion}`)).toEqual([
      "DELETED 2",
    ]);
  });
});
