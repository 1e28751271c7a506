import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

interface RawResult {
  status: number;
  body: { data?: unknown; errors?: { message: string }[] };
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
    const list = vi.spyOn(t.graph, "list");
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
