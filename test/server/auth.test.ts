import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraph } from "../../src/graph/index.js";
import { InsecureBindError, startServer, tokenCookie } from "../../src/server/index.js";
import { ClustersDocument, ResourceChangesDocument } from "../generated/graphql.js";
import { query, SubscriptionClosedError, subscribe } from "../support/graphql-client.js";
import { cluster, pod, podType, silentLogger, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

const token = "s3cret-token";

describe("token auth", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ token, allowedOrigins: ["https://meshery.example"] });
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("over HTTP, answers 401 without the token or with a wrong one, and serves with it", async () => {
    const none = await query(t.server.url, ClustersDocument);
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.message).toBe("Unauthorized");
    expect(none.data).toBeUndefined();

    expect((await query(t.server.url, ClustersDocument, {}, "wrong")).status).toBe(401);

    const good = await query(t.server.url, ClustersDocument, {}, token);
    expect(good.status).toBe(200);
    expect(good.data?.clusters).toEqual([cluster]);

    const cookie = await query(t.server.url, ClustersDocument, {}, undefined, {
      headers: { cookie: `theme=dark; ${tokenCookie}=${token}` },
    });
    expect(cookie.data?.clusters).toEqual([cluster]);
  });

  it("serves the GraphiQL page to a browser but no data without the token", async () => {
    const page = await fetch(t.server.url, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);

    // GraphiQL keeps the query it shows in the address; a reload gets the page again, never a result.
    const reload = await fetch(`${t.server.url}?query=${encodeURIComponent("{ clusters { id } }")}`, {
      headers: { accept: "text/html" },
    });
    expect(reload.status).toBe(200);
    expect(reload.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await reload.text()).not.toContain(cluster.id);

    const script = await fetch(`${t.server.url}?query=${encodeURIComponent("{ clusters { id } }")}`, {
      headers: { accept: "application/json" },
    });
    expect(script.status).toBe(401);
  });

  it("over graphql-ws, accepts the token in the upgrade header, a cookie, or connectionParams", async () => {
    const since = t.graph.log.cursor();
    const viaHeader = subscribe(t.server.url, ResourceChangesDocument, { since }, { token });
    const viaCookie = subscribe(
      t.server.url,
      ResourceChangesDocument,
      { since },
      {
        headers: { cookie: `${tokenCookie}=${token}` },
      },
    );
    const viaParams = subscribe(
      t.server.url,
      ResourceChangesDocument,
      { since },
      {
        connectionParams: { authorization: `Bearer ${token}` },
      },
    );
    try {
      t.graph.upsert(cluster, podType, pod("seen", "default"));
      for (const subscription of [viaHeader, viaCookie, viaParams]) {
        expect((await subscription.next()).resourceChanges.resource?.name).toBe("seen");
      }
    } finally {
      await Promise.all([viaHeader.close(), viaCookie.close(), viaParams.close()]);
    }
  });

  it("over graphql-ws, closes with 4401 without the token and refuses a wrong one at the upgrade", async () => {
    for (const connectionParams of [undefined, { authorization: "Bearer wrong" }]) {
      const subscription = subscribe(
        t.server.url,
        ResourceChangesDocument,
        {},
        connectionParams ? { connectionParams } : {},
      );
      const failure = await subscription.next().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SubscriptionClosedError);
      expect((failure as SubscriptionClosedError).code).toBe(4401);
      await subscription.close();
    }
    await expect(RawGraphqlSocket.open(t.server.url, { authorization: "Bearer wrong" })).rejects.toThrow(
      /upgrade refused: 401/,
    );
  });

  it("refuses a WebSocket from a browser origin that is not allowed", async () => {
    await expect(
      RawGraphqlSocket.open(t.server.url, {
        authorization: `Bearer ${token}`,
        origin: "https://evil.example",
      }),
    ).rejects.toThrow(/upgrade refused: 403/);
    const allowed = await RawGraphqlSocket.open(t.server.url, {
      authorization: `Bearer ${token}`,
      origin: "https://meshery.example",
    });
    await allowed.close();
  });

  it("refuses /graphql to a browser origin that is not allowed, and sends CORS only to allowed ones", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const evil = await query(t.server.url, ClustersDocument, {}, token, {
      headers: { ...headers, origin: "https://evil.example" },
    });
    expect(evil.status).toBe(403);

    const response = await fetch(t.server.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", origin: "https://meshery.example" },
      body: JSON.stringify({ query: "{ clusters { id } }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://meshery.example");

    const preflight = await fetch(t.server.url, {
      method: "OPTIONS",
      headers: {
        origin: "https://meshery.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://meshery.example");

    const sameOrigin = await query(t.server.url, ClustersDocument, {}, token, {
      headers: { origin: t.server.origin },
    });
    expect(sameOrigin.data?.clusters).toEqual([cluster]);
    const graphiqlSocket = await RawGraphqlSocket.open(t.server.url, { ...headers, origin: t.server.origin });
    await graphiqlSocket.close();
  });

  it("keeps health and readiness open to probes without the token", async () => {
    expect((await fetch(`${t.server.origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.server.origin}/readyz`)).status).toBe(200);
  });
});

describe("without configured origins", () => {
  it("refuses other sites on both transports, so a page the operator opens cannot read the graph", async () => {
    const open = await startTestServer();
    try {
      const response = await fetch(open.server.url, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example" },
        body: JSON.stringify({ query: "{ clusters { id } }" }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      await expect(
        RawGraphqlSocket.open(open.server.url, { origin: "https://evil.example" }),
      ).rejects.toThrow(/upgrade refused: 403/);
      const sameOrigin = await RawGraphqlSocket.open(open.server.url, { origin: open.server.origin });
      await sameOrigin.close();
      const noOrigin = await RawGraphqlSocket.open(open.server.url);
      await noOrigin.close();
    } finally {
      await open.server.close();
    }
  });
});

describe("binding", () => {
  it("refuses a non-loopback address without a token unless told to allow it", async () => {
    const base = {
      graph: new ResourceGraph(),
      host: "0.0.0.0",
      port: 0,
      logger: silentLogger,
      readiness: () => ({ ready: true }),
    };
    await expect(startServer(base)).rejects.toBeInstanceOf(InsecureBindError);
    const open = await startServer({ ...base, allowUnauthenticated: true });
    expect(open.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/graphql$/);
    expect(open.port).toBeGreaterThan(0);
    await open.close();
  });
});
