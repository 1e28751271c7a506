// The GraphiQL page as HTTP serves it: whole from this server, on the example tabs, compressed and
// revalidated, reached from /, and with the token prompt only where a token is wanted.
import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptsGzip,
  contentSecurityPolicy,
  exampleTabs,
  graphiqlOptions,
} from "../../src/server/graphiql/index.js";
import { tokenCookie } from "../../src/server/index.js";
import { startTestServer, type TestServer } from "./fixtures.js";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch, which would undo the gzip and follow the redirect itself. */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const browser = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

/**
 * Every URL the page's markup loads by itself: script and style sources, links, images, frames. The
 * text inside script and style elements is not markup (the bundle holds HTML in its strings), so it
 * is left out, as the browser's parser leaves it out.
 */
function loadedUrls(html: string): string[] {
  const markup = html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?<\/\2>/gi, "$1");
  const attributes =
    /<(?:script|link|img|iframe|source|audio|video|embed)\b[^>]*?\s(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi;
  return [...markup.matchAll(attributes)].map((match) => match[1]!);
}

describe("the GraphiQL page", () => {
  let t: TestServer;
  let page: RawResponse;

  beforeAll(async () => {
    t = await startTestServer();
    page = await get(t.server.url, browser);
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("is HTML that loads nothing from anywhere: scripts, styles, fonts and workers are in the page", () => {
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    const html = page.body.toString();
    expect(html).toContain("YogaGraphiQL.renderYogaGraphiQL");
    expect(loadedUrls(html).filter((url) => !url.startsWith("data:"))).toEqual([]);
    expect(html).not.toMatch(/@import\s+url\(\s*["']?https?:/i);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net|cdnjs/);
  });

  it("opens on meshsync's example tabs, not yoga's welcome text", () => {
    const html = page.body.toString();
    expect(html).toContain(JSON.stringify(graphiqlOptions));
    for (const tab of exampleTabs) expect(html).toContain(JSON.stringify(tab.query));
    expect(html).not.toContain("Welcome to Yoga GraphiQL");
    expect(html).toContain("<title>meshsync</title>");
  });

  it("is sent gzipped to a browser that takes it, and the same page once unpacked", async () => {
    const gzipped = await get(t.server.url, { ...browser, "accept-encoding": "gzip, deflate, br" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.headers.vary).toBe("accept-encoding");
    expect(gzipped.body.length).toBeLessThan(page.body.length / 2);
    expect(gunzipSync(gzipped.body).equals(page.body)).toBe(true);
    expect(page.headers["content-encoding"]).toBeUndefined();
  });

  it("answers 304 to a browser that holds the page already", async () => {
    const etag = page.headers.etag;
    expect(typeof etag).toBe("string");
    const again = await get(t.server.url, { ...browser, "if-none-match": String(etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const stale = await get(t.server.url, { ...browser, "if-none-match": '"another"' });
    expect(stale.status).toBe(200);
  });

  it("holds the browser to this server and no frame, and carries no token prompt without a token", () => {
    const policy = String(page.headers["content-security-policy"]);
    expect(policy).toBe(contentSecurityPolicy);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(page.body.toString()).not.toContain(tokenCookie);
  });

  it("is where / leads, by a relative redirect, for GET and HEAD", async () => {
    for (const method of ["GET", "HEAD"]) {
      const root = await get(`${t.server.origin}/`, browser, method);
      expect(root.status).toBe(302);
      expect(new URL(String(root.headers.location), `${t.server.origin}/`).href).toBe(t.server.url);
    }
    const curl = await get(`${t.server.origin}/`);
    expect([curl.status, curl.body.toString()]).toEqual([302, "GraphiQL and GraphQL are at /graphql\n"]);
    expect((await get(`${t.server.origin}/`, {}, "POST")).status).toBe(404);
    expect((await get(`${t.server.origin}/elsewhere`, browser)).status).toBe(404);
  });

  it("leaves GraphQL over GET to yoga", async () => {
    const answer = await get(`${t.server.url}?query=${encodeURIComponent("{ clusters { id } }")}`, {
      accept: "application/json",
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ data: { clusters: [{ id: "c1-uid" }] } });
  });
});

describe("the GraphiQL page of a server with a token", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ token: "page-token" });
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("is served without the token, and asks for it into the cookie when the endpoint answers 401", async () => {
    const page = await get(t.server.url, browser);
    expect(page.status).toBe(200);
    const html = page.body.toString();
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toContain(`var cookieName = ${JSON.stringify(tokenCookie)};`);
    expect(head).toContain("response.status !== 401");
    expect(html).not.toContain("page-token");
  });

  it("still leads from / to it without the token", async () => {
    expect((await get(`${t.server.origin}/`, browser)).status).toBe(302);
  });
});

describe("acceptsGzip", () => {
  it.each([
    ["gzip", true],
    ["deflate, gzip;q=0.5", true],
    ["GZIP", true],
    ["*", true],
    ["gzip;q=0", false],
    ["gzip; q=0.0", false],
    ["deflate, br", false],
    ["", false],
  ])("%s: %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it("says no without the header", () => {
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
