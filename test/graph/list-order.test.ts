import { describe, expect, it } from "vitest";
import {
  CursorError,
  type ListOrderSpec,
  type Page,
  ResourceGraph,
  type StoredResource,
} from "../../src/graph/index.js";
import type { ClusterRef, KubeObject } from "../../src/kube/types.js";
import { resourceType } from "./resource-types.js";

const clusters: ClusterRef[] = [
  { id: "c-a", name: "a" },
  { id: "c-b", name: "b" },
];
const pods = resourceType("pods", "Pod");
const nodes = resourceType("nodes", "Node", { namespaced: false });

/** A small random generator with a seed, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function object(
  name: string,
  namespace: string | undefined,
  uid: string,
  created: string | undefined,
): KubeObject {
  return {
    metadata: {
      name,
      uid,
      resourceVersion: "1",
      ...(namespace === undefined ? {} : { namespace }),
      ...(created === undefined ? {} : { creationTimestamp: created }),
    },
  };
}

/** Names, namespaces and times drawn from few values, so that every order has ties to break. */
function populate(graph: ResourceGraph, count: number, seed: number): void {
  const next = random(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  for (let i = 0; i < count; i++) {
    const cluster = pick(clusters);
    const second = pick([0, 5, 10, 15]);
    const created =
      i % 7 === 0 ? undefined : `2024-05-0${pick([1, 2])}T10:00:${String(second).padStart(2, "0")}Z`;
    if (i % 9 === 0)
      graph.upsert(cluster, nodes, object(pick(["n1", "n2", "n3"]) + i, undefined, `u${i}`, created));
    else
      graph.upsert(
        cluster,
        pods,
        object(pick(["web", "db", "api"]), pick(["default", "prod", "dev"]) + (i % 4), `u${i}`, created),
      );
  }
}

/** The order spelled out on plain values, independently of the graph's comparators. */
function expectedOrder(spec: ListOrderSpec | undefined): (a: StoredResource, b: StoredResource) => number {
  const stableKey = (r: StoredResource) => [r.clusterId, r.namespace ?? "", r.kind, r.name, r.uid];
  const lead = (r: StoredResource): (string | number)[] =>
    spec === undefined
      ? []
      : spec.field === "NAME"
        ? [r.name]
        : spec.field === "NAMESPACE"
          ? [r.namespace ?? ""]
          : [r.createdAtMs ?? Number.NEGATIVE_INFINITY];
  const compare = (a: StoredResource, b: StoredResource) => {
    const x = [...lead(a), ...stableKey(a)];
    const y = [...lead(b), ...stableKey(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  };
  return spec?.direction === "DESC" ? (a, b) => compare(b, a) : compare;
}

function pageForward(graph: ResourceGraph, orderBy: ListOrderSpec | undefined, size: number): string[] {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = graph.list({}, { first: size, after, orderBy: orderBy ?? null });
    seen.push(...page.items.map((r) => r.uid));
    expect(page.hasPreviousPage).toBe(after !== null);
    if (!page.hasNextPage) return seen;
    after = page.endCursor;
  }
  throw new Error("paging did not end");
}

function pageBackward(graph: ResourceGraph, orderBy: ListOrderSpec | undefined, size: number): string[] {
  const seen: string[][] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page: ReturnType<ResourceGraph["list"]> = graph.list(
      {},
      { last: size, before, orderBy: orderBy ?? null },
    );
    seen.unshift(page.items.map((r) => r.uid));
    expect(page.hasNextPage).toBe(before !== null);
    if (!page.hasPreviousPage) return seen.flat();
    before = page.items[0] ? page.cursorOf(page.items[0]) : null;
  }
  throw new Error("paging did not end");
}

const orders: (ListOrderSpec | undefined)[] = [
  undefined,
  { field: "NAME" },
  { field: "NAME", direction: "DESC" },
  { field: "NAMESPACE" },
  { field: "NAMESPACE", direction: "DESC" },
  { field: "CREATED" },
  { field: "CREATED", direction: "DESC" },
];

describe("sorted lists, read forward and backward", () => {
  const graph = new ResourceGraph();
  populate(graph, 300, 7);
  const all = (graph.list({}, {}).items as StoredResource[]).slice();

  for (const orderBy of orders) {
    const label =
      orderBy === undefined ? "the stable order" : `${orderBy.field} ${orderBy.direction ?? "ASC"}`;
    it(`pages through ${label} with first/after and with last/before, each object once, in order`, () => {
      const expected = [...all].sort(expectedOrder(orderBy)).map((r) => r.uid);
      expect(pageForward(graph, orderBy, 17)).toEqual(expected);
      expect(pageBackward(graph, orderBy, 17)).toEqual(expected);
      expect(graph.list({}, { orderBy: orderBy ?? null }).items.map((r) => r.uid)).toEqual(expected);
    });
  }

  it("reads the page before a cursor from its own edges' cursors", () => {
    const orderBy: ListOrderSpec = { field: "CREATED", direction: "DESC" };
    const page = graph.list({}, { first: 40, orderBy });
    const before = graph.list({}, { last: 5, before: page.cursorOf(page.items[20]!), orderBy });
    expect(before.items.map((r) => r.uid)).toEqual(page.items.slice(15, 20).map((r) => r.uid));
    expect(before.hasPreviousPage).toBe(true);
    expect(before.hasNextPage).toBe(true);
  });

  it("refuses first with last, and a cursor of another order", () => {
    expect(() => graph.list({}, { first: 2, last: 2 })).toThrow(/give one pair/);
    const byName = graph.list({}, { first: 1, orderBy: { field: "NAME" } }).endCursor!;
    expect(() => graph.list({}, { first: 1, after: byName, orderBy: { field: "CREATED" } })).toThrow(
      CursorError,
    );
    expect(() => graph.list({}, { first: 1, after: byName })).toThrow(
      /is a cursor of orderBy NAME, not of the default order/,
    );
    // Either direction of one field reads the field's cursors.
    expect(
      graph.list({}, { last: 1, before: byName, orderBy: { field: "NAME", direction: "DESC" } }).items,
    ).toHaveLength(1);
  });
});

describe("a cursor under writes", () => {
  it("goes on after objects before and after it come and go, without skipping or repeating", () => {
    const graph = new ResourceGraph();
    const cluster = clusters[0]!;
    for (let i = 0; i < 10; i++)
      graph.upsert(cluster, pods, object(`p${i}`, "ns", `u${i}`, `2024-01-01T00:00:0${i}Z`));
    const page: Page = { first: 4, orderBy: { field: "CREATED" } };
    const first = graph.list({}, page);
    expect(first.items.map((r) => r.name)).toEqual(["p0", "p1", "p2", "p3"]);
    // p1 leaves, and an object older than the cursor arrives: neither moves the cursor.
    graph.delete(cluster, pods, object("p1", "ns", "u1", undefined));
    graph.upsert(cluster, pods, object("old", "ns", "u-old", "2023-01-01T00:00:00Z"));
    // The cursor's own object leaves: the next page starts after where it was.
    graph.delete(cluster, pods, object("p3", "ns", "u3", undefined));
    const second = graph.list({}, { ...page, after: first.endCursor });
    expect(second.items.map((r) => r.name)).toEqual(["p4", "p5", "p6", "p7"]);
    expect(second.hasPreviousPage).toBe(true);
  });
});
