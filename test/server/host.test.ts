import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/raw-http.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

const clustersQuery = JSON.stringify({ query: "{ clusters { id } }" });

/** A POST as a rebinding page at evil.example sends it once its name points at 127.0.0.1. */
function rebound(port: number, contentType: string, body: string, token?: string) {
  return {
    method: "POST",
    headers: {
      host: `evil.example:${port}`,
      origin: `http://evil.example:${port}`,
      "content-type": contentType,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body,
  };
}

describe("DNS rebinding, on a server without a token", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ allowedHosts: ["meshsync.example", ".corp.example"] });
    t.graph.upsert(cluster, podType, pod("secret-workload", "default"));
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("refuses a request whose Host is another site's name, on every path", async () => {
    const port = t.server.port;
    const json = await rawRequest(t.server.url, rebound(port, "application/json", clustersQuery));
    expect(json.status).toBe(403);
    expect(json.body).toBe(
      `host "evil.example:${port}" is not allowed: list it with --allowed-host, or set a token\n`,
    );
    for (const path of ["/metrics", "/readyz", "/healthz"]) {
      const answer = await rawRequest(`${t.server.origin}${path}`, {
        headers: { host: `evil.example:${port}` },
      });
      expect(answer.status).toBe(403);
    }
  });

  it("refuses the WebSocket upgrade such a page opens", async () => {
    const port = t.server.port;
    await expect(
      RawGraphqlSocket.open(t.server.url, {
        host: `evil.example:${port}`,
        origin: `http://evil.example:${port}`,
      }),
    ).rejects.toThrow(/upgrade refused: 403/);
  });

  it("answers loopback names, IP addresses and the hosts the operator listed", async () => {
    const port = t.server.port;
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      `10.1.2.3:${port}`,
      `app.localhost:${port}`,
      `meshsync.example:${port}`,
      `MeshSync.Example.:${port}`,
      `corp.example:${port}`,
      `a.b.corp.example:${port}`,
    ]) {
      const answer = await rawRequest(t.server.url, {
        method: "POST",
        headers: { host, origin: `http://${host}`, "content-type": "application/json" },
        body: clustersQuery,
      });
      expect({ host, status: answer.status }).toEqual({ host, status: 200 });
      const socket = await RawGraphqlSocket.open(t.server.url, { host, origin: `http://${host}` });
      await socket.close();
    }
    for (const host of [
      `notmeshsync.example:${port}`,
      `evilcorp.example:${port}`,
      `localhost.evil.example:${port}`,
    ]) {
      expect((await rawRequest(t.server.url, { headers: { host } })).status).toBe(403);
    }
  });
});

describe("content types a browser may send cross-site without a preflight", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t.server.close();
  });

  it.each([
    ["application/x-www-form-urlencoded", `query=${encodeURIComponent("{ clusters { id } }")}`],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ clusters { id } }\r\n--x--\r\n',
    ],
    ["text/plain;charset=UTF-8", clustersQuery],
  ])("refuses a POST of %s with 415 and says what to send", async (contentType, body) => {
    const answer = await rawRequest(t.server.url, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    expect(answer.status).toBe(415);
    const mediaType = contentType.split(";")[0];
    expect(answer.body).toBe(`content type "${mediaType}" is not accepted: send application/json\n`);
  });

  it("still serves application/json", async () => {
    const answer = await rawRequest(t.server.url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: clustersQuery,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { clusters: [{ id: cluster.id }] } });
  });
});

describe("with a token set", () => {
  const token = "s3cret-token";
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ token });
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("answers any host name, since only a client that holds the token gets data", async () => {
    const port = t.server.port;
    const withoutToken = await rawRequest(t.server.url, rebound(port, "application/json", clustersQuery));
    expect(withoutToken.status).toBe(401);
    const behindIngress = await rawRequest(t.server.url, {
      method: "POST",
      headers: {
        host: "meshsync.meshery.svc",
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
      },
      body: clustersQuery,
    });
    expect(behindIngress.status).toBe(200);
  });

  it("asks for the token on /metrics, as Prometheus sends it from its scrape config", async () => {
    const none = await rawRequest(`${t.server.origin}/metrics`);
    expect(none.status).toBe(401);
    expect(none.body).not.toContain("meshsync_");
    expect(
      (await rawRequest(`${t.server.origin}/metrics`, { headers: { authorization: "Bearer wrong" } })).status,
    ).toBe(401);
    const scraped = await rawRequest(`${t.server.origin}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain("meshsync_graph_objects");
  });
});
