import { type IncomingMessage, request } from "node:http";
import { connect, type Socket } from "node:net";
import { eventually } from "@meshsync/testing";
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../src/api/index.js";
import { cluster, configMapType, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

interface RawResult {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, body: unknown): Promise<RawResult> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as RawResult["body"] };
}

describe("query limits", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({
      limits: {
        maxDepth: 8,
        maxAliases: 5,
        maxFields: 200,
        maxDocumentChars: 4096,
        maxSubscriptionsPerSocket: 2,
      },
    });
    t.graph.upsert(cluster, podType, pod("a", "default"));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("rejects a document deeper than the limit before anything runs", async () => {
    const list = vi.spyOn(t.graph, "listInSlices");
    try {
      const query = `{
        resources { edges { node { name } } }
        __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } }
      }`;
      const result = await post(t.server.url, { query });
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors?.map((e) => e.message)).toContain(
        "operation is 10 levels deep; the limit is 8",
      );
      expect(list).not.toHaveBeenCalled();
    } finally {
      list.mockRestore();
    }
  });

  it("measures depth through fragments", async () => {
    const shallow = `query Shallow { resources { edges { node { ...A } } } }
      fragment A on Resource { cluster { ...B } }
      fragment B on Cluster { ... on Cluster { id } }`;
    expect((await post(t.server.url, { query: shallow })).body.errors).toBeUndefined();

    const deep = `query Deep { __schema { ...S } }
      fragment S on __Schema { types { ...T } }
      fragment T on __Type { fields { type { ...U } } }
      fragment U on __Type { fields { type { fields { type { name } } } } }`;
    const result = await post(t.server.url, { query: deep });
    expect(result.body.errors?.map((e) => e.message)).toContain(
      'operation "Deep" is 9 levels deep; the limit is 8',
    );
  });

  it("rejects too many aliases, with the limit in the message", async () => {
    const aliases = Array.from({ length: 6 }, (_, i) => `c${i}: clusters { id }`).join(" ");
    const result = await post(t.server.url, { query: `{ ${aliases} }` });
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.message).toBe("the document uses 6 aliases; the limit is 5");
  });

  it("rejects a fragment bomb by its expanded size, quickly and without executing", async () => {
    const fragments = ["fragment F0 on Cluster { id name }"];
    for (let i = 1; i <= 30; i++) fragments.push(`fragment F${i} on Cluster { ...F${i - 1} ...F${i - 1} }`);
    const result = await post(t.server.url, { query: `{ clusters { ...F30 } } ${fragments.join(" ")}` });
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.message).toMatch(/selects \d+ fields; the limit is 200/);
  });

  it("rejects an oversized document before parsing it", async () => {
    const result = await post(t.server.url, { query: `{ clusters { id } } # ${"x".repeat(5000)}` });
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.message).toMatch(/characters long; the limit is 4096/);
  });

  it("answers a body that is not GraphQL at all with an error and goes on", async () => {
    expect((await post(t.server.url, "{not json")).status).toBe(400);
    expect((await post(t.server.url, { query: "{ clusters { " })).body.errors?.[0]?.message).toMatch(
      /Syntax Error/,
    );
    expect((await post(t.server.url, { query: "{ clusters { id } }" })).body.data).toEqual({
      clusters: [{ id: cluster.id }],
    });
  });

  it("lets GraphiQL's introspection through at the default depth", async () => {
    const defaults = await startTestServer();
    try {
      const result = await post(defaults.server.url, { query: getIntrospectionQuery() });
      expect(result.body.errors).toBeUndefined();
    } finally {
      await defaults.server.close();
    }
  });

  it("applies the same limits over graphql-ws, and caps operations per socket", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      const aliases = Array.from({ length: 6 }, (_, i) => `c${i}: clusters { id }`).join(" ");
      socket.subscribe("deep", `{ ${aliases} }`);
      const refused = await socket.waitFor((m) => m.id === "deep");
      expect(refused.type).toBe("error");
      expect(JSON.stringify(refused.payload)).toContain("the limit is 5");

      const subscription = "subscription { resourceChanges { sequence } }";
      socket.subscribe("one", subscription);
      socket.subscribe("two", subscription);
      socket.subscribe("three", subscription);
      const third = await socket.waitFor((m) => m.id === "three");
      expect(third.type).toBe("error");
      expect(JSON.stringify(third.payload)).toContain("at most 2 operations may run at once on one socket");

      // The socket and its first two subscriptions are unharmed.
      t.graph.upsert(cluster, podType, pod("after-limits", "default"));
      await socket.waitFor((m) => m.id === "one" && m.type === "next");
      await socket.waitFor((m) => m.id === "two" && m.type === "next");
    } finally {
      await socket.close();
    }
  });

  it("refuses WebSockets past the connection limit and accepts again when one closes", async () => {
    const capped = await startTestServer({ limits: { maxConnections: 2 } });
    try {
      const first = await RawGraphqlSocket.connect(capped.server.url);
      const second = await RawGraphqlSocket.connect(capped.server.url);
      await expect(RawGraphqlSocket.open(capped.server.url)).rejects.toThrow(/upgrade refused: 503/);
      await first.close();
      // The server counts the socket out when its own side has closed, which may trail the client's.
      let third: RawGraphqlSocket | undefined;
      for (let attempt = 0; third === undefined && attempt < 100; attempt++) {
        third = await RawGraphqlSocket.connect(capped.server.url).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        });
      }
      if (third === undefined) throw new Error("no connection accepted after one closed");
      await Promise.all([second.close(), third.close()]);
    } finally {
      await capped.server.close();
    }
  });

  it("closes a socket that breaks the protocol with 4400, and serves the next one", async () => {
    for (const garbage of [
      "{not json",
      JSON.stringify({ type: "subscribe", id: 7 }),
      JSON.stringify({ type: "?" }),
    ]) {
      const socket = await RawGraphqlSocket.connect(t.server.url);
      socket.ws.send(garbage);
      expect(await socket.closed).toBe(4400);
    }
    const fine = await RawGraphqlSocket.connect(t.server.url);
    fine.subscribe("ok", "{ clusters { id } }");
    expect((await fine.waitFor((m) => m.id === "ok")).type).toBe("next");
    await fine.close();
  });

  it("closes a socket that sends a message larger than the request limit", async () => {
    const small = await startTestServer({ limits: { maxRequestBytes: 2048 } });
    try {
      const socket = await RawGraphqlSocket.connect(small.server.url);
      socket.subscribe("big", `{ clusters { id } } # ${"x".repeat(4096)}`);
      expect(await socket.closed).toBe(1009);
      // The server goes on.
      const fine = await RawGraphqlSocket.connect(small.server.url);
      fine.subscribe("ok", "{ clusters { id } }");
      await fine.waitFor((m) => m.id === "ok" && m.type === "next");
      await fine.close();
    } finally {
      await small.server.close();
    }
  });
});

/** `{a{a{…}}}` nested `levels` deep: 9 KB at 3000 levels, enough to overflow a recursive parser. */
function deeplyNested(levels: number): string {
  return `${"{a".repeat(levels)}${"}".repeat(levels)}`;
}

describe("bracket nesting", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("refuses a document nested 3000 deep over HTTP with 400 and a coded error, before parsing", async () => {
    const result = await post(t.server.url, { query: deeplyNested(3000) });
    expect(result.status).toBe(400);
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]?.message).toBe(
      "the document nests brackets ({, ( or [) more than 64 deep; the limit is 64",
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.QueryTooComplex);
  });

  it("refuses it over graphql-ws with the same message, never a stack overflow", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("deep", deeplyNested(3000));
      const refused = await socket.waitFor((m) => m.id === "deep");
      expect(refused.type).toBe("error");
      const text = JSON.stringify(refused.payload);
      expect(text).toContain("the document nests brackets ({, ( or [) more than 64 deep; the limit is 64");
      expect(text).not.toMatch(/call stack/i);
      // The socket goes on serving.
      socket.subscribe("fine", "{ clusters { id } }");
      expect((await socket.waitFor((m) => m.id === "fine")).type).toBe("next");
    } finally {
      await socket.close();
    }
  });

  it("lets through a document as deep as the depth limit, with nested argument values", async () => {
    // 15 levels of selections, the default maxDepth, beside a filter with an object and lists in it.
    const deepest = `__schema { types { fields(includeDeprecated: true) { type { ${"ofType { ".repeat(10)}name${" }".repeat(14)}`;
    const filter = 'resources(filter: { kinds: ["Pod"], namespaces: ["default"] }, first: 1) { totalCount }';
    // A kind the graph has objects of: one it does not know would be refused as such.
    t.graph.upsert(cluster, podType, pod("deep", "default"));
    const query = `{ ${deepest} ${filter} }`;
    const result = await post(t.server.url, { query });
    expect(result.body.errors).toBeUndefined();
  });
});

/** A ConfigMap whose data is about `bytes` characters of JSON. */
function bulkyConfigMap(name: string, bytes: number) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "bulk", uid: `uid-bulk-${name}`, resourceVersion: "1" },
    data: { blob: "x".repeat(bytes) },
  };
}

const thirtyPagesOfObjects = `{ ${Array.from(
  { length: 30 },
  (_, i) => `a${i}: resources(first: 1000) { edges { node { object } } }`,
).join(" ")} }`;

describe("operation cost", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
    t.graph.upsert(cluster, podType, pod("a", "default"));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("refuses thirty pages of a thousand whole objects, stating cost and budget, before any resolver", async () => {
    const list = vi.spyOn(t.graph, "listInSlices");
    try {
      const result = await post(t.server.url, { query: thirtyPagesOfObjects });
      expect(result.status).toBe(400);
      expect(result.body.data).toBeUndefined();
      expect(result.body.errors).toHaveLength(1);
      const [error] = result.body.errors ?? [];
      expect(error?.message).toMatch(/^operation costs 660060; the budget is 100000\. /);
      expect(error?.extensions).toMatchObject({
        code: ErrorCode.QueryTooCostly,
        cost: 660060,
        budget: 100000,
      });
      expect(list).not.toHaveBeenCalled();
    } finally {
      list.mockRestore();
    }
  });

  it("serves a full page of whole objects, which is within the budget", async () => {
    const result = await post(t.server.url, {
      query: "{ resources(first: 1000) { edges { node { name object } } } }",
    });
    expect(result.body.errors).toBeUndefined();
    expect(JSON.stringify(result.body.data)).toContain('"name":"a"');
  });

  it("prices page sizes given as variables, and the default page size when none is given", async () => {
    const paged = Array.from(
      { length: 5 },
      (_, i) => `p${i}: resources(first: $n) { edges { node { object } } }`,
    );
    const query = `query Page($n: Int) { ${paged.join(" ")} unpaged: resources { edges { node { object } } } }`;
    const small = await post(t.server.url, { query, variables: { n: 10 } });
    expect(small.body.errors).toBeUndefined();
    // Five pages of 1000 objects at 22 each, one of the default 100, and six scans of the one pod.
    const large = await post(t.server.url, { query, variables: { n: 1000 } });
    expect(large.body.errors?.[0]?.message).toMatch(/^operation "Page" costs 112212; the budget is 100000/);
  });

  it("refuses a 50,000-requirement field selector before anything is scanned", async () => {
    const fieldSelector = Array.from({ length: 50_000 }, (_, i) => `metadata.name=n${i}`).join(",");
    const list = vi.spyOn(t.graph, "listInSlices");
    try {
      const result = await post(t.server.url, {
        query: "query Big($s: String) { resources(filter: { fieldSelector: $s }) { totalCount } }",
        variables: { s: fieldSelector },
      });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: ErrorCode.BadUserInput });
      expect(result.body.errors?.[0]?.message).toMatch(/field selector too long/);
      expect(result.body.errors?.[0]?.message.length).toBeLessThan(400);
      expect(list).not.toHaveBeenCalled();
    } finally {
      list.mockRestore();
    }
  });

  it("applies the budget over graphql-ws, to queries and to each change a subscription delivers", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("pages", thirtyPagesOfObjects);
      const pages = await socket.waitFor((m) => m.id === "pages" && m.type !== "complete");
      expect(JSON.stringify(pages.payload)).toContain("costs 660060; the budget is 100000");

      const labelSelector = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(",");
      // Past the selector bound: refused with the selector's own error before the subscription opens.
      socket.subscribe(
        "changes",
        "subscription Changes($s: String) { resourceChanges(filter: { labelSelector: $s }) { sequence } }",
        { s: labelSelector },
      );
      const changes = await socket.waitFor((m) => m.id === "changes" && m.type !== "complete");
      expect(changes.type).toBe("error");
      expect(changes.payload).toMatchObject([
        { message: expect.stringMatching(/requirements/), extensions: { code: ErrorCode.BadUserInput } },
      ]);
    } finally {
      await socket.close();
    }
  });
});

/** A label selector at the requirement bound that every object is evaluated against in full. */
const selectorAtTheBound = [...Array.from({ length: 99 }, (_, i) => `!absent-${i}`), "absent-final"].join(
  ",",
);

function countsWith(aliases: number, filter: string): string {
  const fields = Array.from(
    { length: aliases },
    (_, i) => `a${i}: resources(first: 1, filter: ${filter}) { totalCount }`,
  );
  return `query Counts($s: String) { ${fields.join(" ")} }`;
}

describe("operation cost of a scan", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
    for (let i = 0; i < 3000; i++) t.graph.upsert(cluster, podType, pod(`p${i}`, `ns-${i % 30}`));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("refuses a selector at the bound in thirty aliases over thousands of objects, before any scan", async () => {
    const list = vi.spyOn(t.graph, "listInSlices");
    try {
      const result = await post(t.server.url, {
        query: countsWith(30, "{ labelSelector: $s }"),
        variables: { s: selectorAtTheBound },
      });
      expect(result.status).toBe(400);
      expect(result.body.data).toBeUndefined();
      // Each alias scans 3000 objects at 1 + 100 evaluations each, 40 evaluations to the unit.
      expect(result.body.errors?.[0]?.extensions).toMatchObject({
        code: ErrorCode.QueryTooCostly,
        cost: 30 * (1 + Math.ceil((3000 * 101) / 40) + 1),
        budget: 100_000,
      });
      expect(result.body.errors?.[0]?.message).toMatch(/a filter costs per object it is evaluated against/);
      expect(list).not.toHaveBeenCalled();
    } finally {
      list.mockRestore();
    }
  });

  it("serves the same selector in one alias, and in thirty over a slice an index narrows", async () => {
    const one = await post(t.server.url, {
      query: countsWith(1, "{ labelSelector: $s }"),
      variables: { s: selectorAtTheBound },
    });
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data).toEqual({ a0: { totalCount: 0 } });
    // One namespace holds 100 of the pods: thirty scans of it fit.
    const narrowed = await post(t.server.url, {
      query: countsWith(30, '{ namespaces: ["ns-7"], labelSelector: $s }'),
      variables: { s: selectorAtTheBound },
    });
    expect(narrowed.body.errors).toBeUndefined();
  });

  it("charges a scan by what the graph holds: the refused query fits a graph with fewer objects", async () => {
    const small = await startTestServer();
    try {
      for (let i = 0; i < 100; i++) small.graph.upsert(cluster, podType, pod(`p${i}`, "default"));
      const result = await post(small.server.url, {
        query: countsWith(30, "{ labelSelector: $s }"),
        variables: { s: selectorAtTheBound },
      });
      expect(result.body.errors).toBeUndefined();
    } finally {
      await small.server.close();
    }
  });
});

describe("operations running at once", () => {
  let t: TestServer;

  beforeAll(async () => {
    // Room for one scan of the selector at the bound over these pods (about 50,500), and one waiting.
    t = await startTestServer({ limits: { maxConcurrentCost: 60_000, maxQueuedOperations: 1 } });
    for (let i = 0; i < 20_000; i++) t.graph.upsert(cluster, podType, pod(`p${i}`, `ns-${i % 30}`));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("runs a costly query when there is room, makes the next wait, and refuses one past the queue", async () => {
    const costly = () =>
      post(t.server.url, {
        query: countsWith(1, "{ labelSelector: $s }"),
        variables: { s: selectorAtTheBound },
      });
    const results = await Promise.all([
      costly(),
      costly(),
      costly(),
      post(t.server.url, { query: "{ clusters { id } }" }),
    ]);
    const [first, second, third, cheap] = results;
    expect(first?.body.data).toEqual({ a0: { totalCount: 0 } });
    expect(second?.body.data).toEqual({ a0: { totalCount: 0 } });
    expect(third?.status).toBe(503);
    expect(third?.body.errors?.[0]).toMatchObject({
      message: `the server is running operations that cost ${1 + Math.ceil((20_000 * 101) / 40) + 1} together, and 1 more wait; try again later`,
      extensions: { code: ErrorCode.ServerBusy },
    });
    // The cheap query fits beside the running one and never waited for the queue.
    expect(cheap?.body.data).toEqual({ clusters: [{ id: cluster.id }] });
  });
});

describe("the filter work of every change", () => {
  const filtered =
    "subscription Filtered($s: String) { resourceChanges(filter: { labelSelector: $s }) { sequence } }";
  /** At the requirement bound, each variant a text of its own: 2 × (1 + 100) evaluations a change. */
  const atTheBound = (variant: string) =>
    [...Array.from({ length: 99 }, (_, i) => `!absent-${i}`), `absent-${variant}`].join(",");

  it("bounds what every group's filter costs a change together, and counts a group once", async () => {
    const t = await startTestServer({ limits: { maxFilterEvaluationsPerChange: 500 } });
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("a", filtered, { s: atTheBound("a") });
      socket.subscribe("b", filtered, { s: atTheBound("b") });
      // Same operation and variables as "a": it joins a's group and costs a change nothing more.
      socket.subscribe("a2", filtered, { s: atTheBound("a") });
      socket.subscribe("c", filtered, { s: atTheBound("c") });
      const refused = await socket.waitFor((m) => m.id === "c");
      expect(refused.type).toBe("error");
      expect(refused.payload).toEqual([
        {
          message:
            "the subscriptions' filters already cost 404 evaluations a change, and this one would add 202; " +
            "the server's limit is 500: share a filter with others, narrow fewer selectors, or try again later",
          extensions: { code: ErrorCode.ServerBusy },
        },
      ]);
      expect(socket.messages.filter((m) => m.id !== "c" && m.type === "error")).toEqual([]);
      const metrics = await (await fetch(`${t.server.origin}/metrics`)).text();
      expect(metrics).toMatch(/^meshsync_subscription_filter_evaluations_per_change 404$/m);
      // When a group's last subscriber leaves, its room is free again.
      socket.send({ type: "complete", id: "b" });
      await eventually(
        async () =>
          /^meshsync_subscription_filter_evaluations_per_change 202$/m.test(
            await (await fetch(`${t.server.origin}/metrics`)).text(),
          ),
        5_000,
        "b's group to go",
      );
      socket.subscribe("c2", filtered, { s: atTheBound("c") });
      t.graph.upsert(cluster, podType, pod("after", "default"));
      await eventually(
        async () =>
          /^meshsync_subscription_filter_evaluations_per_change 404$/m.test(
            await (await fetch(`${t.server.origin}/metrics`)).text(),
          ),
        5_000,
        "c's group to start",
      );
      expect(socket.messages.filter((m) => m.id === "c2")).toEqual([]);
    } finally {
      await socket.close();
      await t.server.close();
    }
  });
});

/** An HTTP client that sends one request, reads the first bytes of the answer, and then stops reading. */
async function stalledReader(
  url: string,
  body: unknown,
): Promise<{ socket: Socket; closed: Promise<void>; firstBytes: number }> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  const text = JSON.stringify(body);
  socket.write(
    `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  const firstBytes = await new Promise<number>((resolve) =>
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      resolve(chunk.length);
    }),
  );
  return { socket, closed, firstBytes };
}

describe("a costly response that is not read", () => {
  // Two pages of a thousand 5 KB objects: about 10 MB, more than socket buffers take, and 44,000 of cost.
  const twoPages = `{ ${[0, 1].map((i) => `p${i}: resources(first: 1000, after: ${i === 0 ? "null" : "$after"}) { edges { node { object } } }`).join(" ")} }`;
  const query = { query: twoPages.replace("{ p0", "query Pages($after: String) { p0") };
  const fill = (graph: TestServer["graph"]) => {
    for (let i = 0; i < 2000; i++) graph.upsert(cluster, configMapType, bulkyConfigMap(`cm-${i}`, 5_000));
  };

  it("keeps its room among the operations running at once until it is written", async () => {
    const t = await startTestServer({ limits: { maxConcurrentCost: 50_000, maxQueuedOperations: 0 } });
    try {
      fill(t.graph);
      const stalled = await stalledReader(t.server.url, query);
      const refused = await post(t.server.url, query);
      expect(refused.status).toBe(503);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.ServerBusy);
      // A cheap query still fits beside it.
      expect((await post(t.server.url, { query: "{ clusters { id } }" })).status).toBe(200);
      stalled.socket.destroy();
      await stalled.closed;
      await eventually(async () => (await post(t.server.url, query)).status === 200, 10_000, "the room back");
    } finally {
      await t.server.close();
    }
  });

  it("keeps its room until it is written over graphql-ws and graphql-sse too", async () => {
    const t = await startTestServer({ limits: { maxConcurrentCost: 50_000, maxQueuedOperations: 0 } });
    try {
      fill(t.graph);
      // A WebSocket client that asks and stops reading.
      const socket = await RawGraphqlSocket.connect(t.server.url);
      socket.ws.pause();
      socket.subscribe("pages", query.query);
      await eventually(
        async () => (await post(t.server.url, query)).status === 503,
        10_000,
        "its room taken",
      );
      socket.ws.resume();
      await socket.waitFor((m) => m.id === "pages" && m.type === "complete", 30_000);
      await eventually(async () => (await post(t.server.url, query)).status === 200, 10_000, "the room back");
      await socket.close();
      // An event stream that asks and stops reading.
      const stream = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(
          t.server.url,
          { method: "POST", headers: { accept: "text/event-stream", "content-type": "application/json" } },
          (response) => {
            response.pause();
            resolve(response);
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify(query));
      });
      await eventually(
        async () => (await post(t.server.url, query)).status === 503,
        10_000,
        "its room taken",
      );
      let text = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        text += chunk;
      });
      stream.resume();
      await new Promise((resolve) => stream.once("end", resolve));
      expect(text).toMatch(/event: complete/);
      await eventually(async () => (await post(t.server.url, query)).status === 200, 10_000, "the room back");
    } finally {
      await t.server.close();
    }
  });

  it("gives its room back after maxResponseHoldMs, and is cut once its socket is idle", async () => {
    const t = await startTestServer({
      limits: {
        maxConcurrentCost: 50_000,
        maxQueuedOperations: 0,
        maxResponseHoldMs: 300,
        idleSocketTimeoutMs: 1000,
      },
    });
    try {
      fill(t.graph);
      const stalled = await stalledReader(t.server.url, query);
      await eventually(async () => (await post(t.server.url, query)).status === 200, 10_000, "the room back");
      const evictions = async () =>
        /meshsync_connection_evictions_total\{reason="idle"\} (\d+)/.exec(
          await (await fetch(`${t.server.origin}/metrics`)).text(),
        )?.[1];
      await eventually(async () => (await evictions()) === "1", 10_000, "the idle socket to be cut");
      // Reading again, the client finds its response cut short and the connection closed.
      let received = stalled.firstBytes;
      stalled.socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
      });
      stalled.socket.resume();
      await stalled.closed;
      const whole = await fetch(t.server.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(query),
      });
      const wholeBytes = (await whole.arrayBuffer()).byteLength;
      expect(wholeBytes).toBeGreaterThan(9_000_000);
      expect(received).toBeLessThan(wholeBytes);
    } finally {
      await t.server.close();
    }
  });
});

describe("response size", () => {
  let t: TestServer;
  const maxResponseBytes = 50_000;

  beforeAll(async () => {
    t = await startTestServer({ limits: { maxResponseBytes } });
    for (let i = 0; i < 40; i++) t.graph.upsert(cluster, configMapType, bulkyConfigMap(`cm-${i}`, 2_000));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("stops a response past the cap with one error and no partial data", async () => {
    const result = await post(t.server.url, {
      query: "{ resources(first: 40) { edges { node { object } } } }",
    });
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors?.[0]?.message).toMatch(
      /^the response would be larger than 50000 bytes, the most the server sends for one operation/,
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.ResponseTooLarge);
    // Within the cap the same objects are served.
    const page = await post(t.server.url, {
      query: "{ resources(first: 20) { edges { node { object } } } }",
    });
    expect(page.body.errors).toBeUndefined();
    expect(JSON.stringify(page.body.data).length).toBeGreaterThan(40_000);
  });

  it("stops at the first object past the cap instead of reading every one", async () => {
    const all = t.graph.list({}, { first: 40, after: null }).items;
    const reads = all.map((resource) => vi.spyOn(resource, "objectText", "get"));
    try {
      await post(t.server.url, { query: "{ resources(first: 40) { edges { node { object } } } }" });
      const read = reads.filter((spy) => spy.mock.calls.length > 0).length;
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(all.length);
    } finally {
      for (const spy of reads) spy.mockRestore();
    }
  });

  it("caps each change a subscription delivers, and delivers the next one that fits", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("changes", "subscription { resourceChanges { type resource { name object } } }");
      await new Promise((resolve) => setTimeout(resolve, 100));
      t.graph.upsert(cluster, configMapType, bulkyConfigMap("huge", 60_000));
      t.graph.upsert(cluster, configMapType, bulkyConfigMap("small", 100));
      const huge = await socket.waitFor((m) => m.id === "changes" && m.type === "next");
      expect(JSON.stringify(huge.payload)).toContain(ErrorCode.ResponseTooLarge);
      expect(JSON.stringify(huge.payload)).not.toContain("xxxxxxxxxx");
      const small = await socket.waitFor(
        (m) => m.id === "changes" && m.type === "next" && JSON.stringify(m.payload).includes('"small"'),
      );
      expect(JSON.stringify(small.payload)).not.toContain("errors");
    } finally {
      await socket.close();
    }
  });
});
