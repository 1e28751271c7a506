import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { GraphiQLOptions } from "graphql-yoga";
import type { Logger } from "pino";
import { exampleTabs, newTabQuery } from "./examples.js";
import { tokenPromptScript } from "./token-prompt.js";

const gzipAsync = promisify(gzip);

/** What the page hands GraphiQL; JSON, since it is written into the page. */
export const graphiqlOptions: GraphiQLOptions = {
  title: "meshsync",
  subscriptionsProtocol: "WS",
  defaultTabs: exampleTabs.map((tab) => ({
    query: tab.query,
    variables: tab.variables === "" ? null : tab.variables,
    headers: null,
  })),
  defaultQuery: newTabQuery,
  // The token travels in its cookie (token-prompt.ts); a token typed into the headers pane stays out
  // of the browser's storage.
  shouldPersistHeaders: false,
  credentials: "same-origin",
};

/**
 * The browser holds the page to what it is: everything inline, its workers blob: URLs, and requests
 * only to this server (HTTP and the WebSocket), so that nothing in the bundle reaches another host.
 * Not inside another site's frame either, where a click could be steered onto a visitor's query.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'unsafe-inline' blob:",
  "worker-src blob:",
  "style-src 'unsafe-inline'",
  "font-src data:",
  "img-src data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface RenderedPage {
  plain: Buffer;
  gzipped: Buffer;
  etag: string;
}

/**
 * @graphql-yoga/render-graphiql writes GraphiQL's scripts, styles, fonts and editor workers into the
 * page itself (workers as blob: URLs), so the page needs nothing but this server: it works where
 * there is no internet. It is about 10 MB of text, so it is imported only when a browser first asks,
 * rendered once per process and kind of server, and kept with its gzip form.
 */
async function render(tokenRequired: boolean): Promise<RenderedPage> {
  const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
  let html = renderGraphiQL(graphiqlOptions);
  if (tokenRequired) {
    const head = html.indexOf("</head>");
    if (head < 0) throw new Error("the GraphiQL page has no </head> to add the token prompt before");
    html = `${html.slice(0, head)}<script>${tokenPromptScript}</script>${html.slice(head)}`;
  }
  const plain = Buffer.from(html);
  const gzipped = await gzipAsync(plain);
  const etag = `"${createHash("sha256").update(plain).digest("base64url").slice(0, 32)}"`;
  return { plain, gzipped, etag };
}

const rendered = new Map<boolean, Promise<RenderedPage>>();

function renderedPage(tokenRequired: boolean): Promise<RenderedPage> {
  let page = rendered.get(tokenRequired);
  if (page === undefined) {
    page = render(tokenRequired);
    rendered.set(tokenRequired, page);
    // A failed render is tried again by the next browser, and logged by each.
    page.catch(() => rendered.delete(tokenRequired));
  }
  return page;
}

/** Whether the client takes gzip (RFC 9110 12.5.3): listed, or as `*`, without q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((entry) => {
    const [coding = "", ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") return false;
    const quality = parameters.find((parameter) => parameter.startsWith("q="));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/** If-None-Match (RFC 9110 13.1.2): a list of tags, compared weakly, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const value = tag.trim();
    return value === "*" || value.replace(/^W\//, "") === etag;
  });
}

/** A browser asking for the endpoint as a page, as yoga tells one: a GET that accepts HTML. */
export function wantsGraphiql(request: IncomingMessage): boolean {
  return request.method === "GET" && (request.headers.accept ?? "").includes("text/html");
}

export interface GraphiqlPageOptions {
  tokenRequired: boolean;
  logger: Logger;
}

/** Answers a browser's GET of /graphql with GraphiQL, from this server alone. */
export function serveGraphiql(
  request: IncomingMessage,
  response: ServerResponse,
  options: GraphiqlPageOptions,
): void {
  renderedPage(options.tokenRequired).then(
    (page) => {
      const headers: Record<string, string> = {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        etag: page.etag,
        vary: "accept-encoding",
        "x-content-type-options": "nosniff",
        "content-security-policy": contentSecurityPolicy,
      };
      if (matchesEtag(request.headers["if-none-match"], page.etag)) {
        response.writeHead(304, headers);
        response.end();
        return;
      }
      const gzipped = acceptsGzip(request.headers["accept-encoding"]);
      const body = gzipped ? page.gzipped : page.plain;
      response.writeHead(200, {
        ...headers,
        ...(gzipped ? { "content-encoding": "gzip" } : {}),
        "content-length": String(body.length),
      });
      response.end(body);
    },
    (error: unknown) => {
      options.logger.error({ err: error }, "GraphiQL page could not be rendered");
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end("GraphiQL could not be rendered; see the server's log\n");
    },
  );
}
