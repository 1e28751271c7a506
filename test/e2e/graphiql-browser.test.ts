// GraphiQL as a person meets it: `meshsync serve --sim` as a real process, Debian's Chromium driven
// by playwright-core, and no network beyond loopback. It opens on meshsync's example tabs, runs the
// example query and sees its rows, then runs the example subscription resumed from that query's
// sequence and sees changes arrive over graphql-ws; with a token, the page asks for it once and
// both transports then carry it in the cookie. Any request for a non-loopback address fails the test.
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { eventually } from "@meshsync/testing";
import { type BrowserContext, chromium, type Page, type WebSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenCookie } from "../../src/server/index.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

const chromiumPath = "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(
    `graphiql-browser: skipped, no Chromium at ${chromiumPath} (Debian: apt-get install chromium)`,
  );
}

/** The page must load from this machine alone; the flags keep Chromium's own services quiet too. */
const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // A name that slips past the routing below resolves nowhere.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

function isLoopback(address: string): boolean {
  const url = new URL(address);
  if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:") return true;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

interface Browsing {
  context: BrowserContext;
  page: Page;
  /** Every address the page tried that is not loopback: must stay empty. */
  outside: string[];
  sockets: WebSocket[];
  /** Text of every frame the page's WebSockets received. */
  frames: string[];
  /** What the console said the page was refused (Content-Security-Policy): must stay empty. */
  refused: string[];
  /** The JSON bodies of the page's GraphQL responses over HTTP, by operation name. */
  results: Map<string, unknown[]>;
}

async function openBrowser(): Promise<Browsing> {
  const context = await chromium.launchPersistentContext(tempDir("meshsync-chromium-"), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1600, height: 1000 },
  });
  const outside: string[] = [];
  const sockets: WebSocket[] = [];
  const frames: string[] = [];
  const results = new Map<string, unknown[]>();
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    outside.push(url);
    return route.abort("blockedbyclient");
  });
  // Also what routing does not see (requests of workers, anything not fetched through the page).
  context.on("request", (request) => {
    if (!isLoopback(request.url())) outside.push(request.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  page.on("websocket", (socket) => {
    sockets.push(socket);
    if (!isLoopback(socket.url())) outside.push(socket.url());
    socket.on("framereceived", ({ payload }) => {
      frames.push(typeof payload === "string" ? payload : payload.toString());
    });
  });
  page.on("response", async (response) => {
    const request = response.request();
    if (request.method() !== "POST" || !request.url().endsWith("/graphql")) return;
    let name = "";
    let body: unknown;
    try {
      const sent = request.postDataJSON() as { operationName?: string | null } | null;
      name = sent?.operationName ?? "";
      body = await response.json();
    } catch {
      body = { status: response.status() };
    }
    results.set(name, [...(results.get(name) ?? []), body]);
  });
  return { context, page, outside, sockets, frames, refused, results };
}

/** The simulator `serve --sim` runs is the other http:// address it prints besides its own. */
function simulatorOrigin(serve: RunningProcess): string {
  for (const match of serve.output().matchAll(/http:\/\/[^\s/,;)]+/g)) {
    if (match[0] !== serve.origin) return match[0];
  }
  throw new Error(`serve --sim printed no simulator address:\n${serve.output()}`);
}

async function simCreate(sim: string, path: string, object: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sim}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(object),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}

function configMap(name: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data: { seen: "in GraphiQL" },
  };
}

/** What meshsync answers over plain HTTP, to wait until it holds what the page will ask for. */
async function graphNames(serve: RunningProcess, namespace: string, token?: string): Promise<string[]> {
  const response = await fetch(`${serve.origin}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({
      query: "query($ns: String!) { resources(filter: { namespaces: [$ns] }) { edges { node { name } } } }",
      variables: { ns: namespace },
    }),
  });
  const body = (await response.json()) as { data: { resources: { edges: { node: { name: string } }[] } } };
  return body.data.resources.edges.map((edge) => edge.node.name);
}

/** Monaco draws text with non-breaking spaces; read it as plain text. */
async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? "").replace(/\u00a0/g, " ");
}

async function openTab(page: Page, title: string): Promise<void> {
  await page.getByRole("tab", { name: title }).click();
}

/**
 * Runs the active tab's operation until `started` says it did. Just after a tab switch GraphiQL may
 * still hold the previous tab's operation name and answer "Cannot infer operation" without sending
 * anything; a person clicks again, and so does this.
 */
async function run(page: Page, started: () => boolean): Promise<void> {
  const execute = page.locator(".graphiql-execute-button");
  await execute.click();
  await eventually(
    async () => {
      if (started()) return true;
      if ((await textOf(page, ".graphiql-response")).includes("Cannot infer operation"))
        await execute.click();
      return false;
    },
    20_000,
    "the operation to start",
  );
}

/** The execute button stops a running subscription. */
async function stop(page: Page): Promise<void> {
  await page.locator(".graphiql-execute-button").click();
}

function queried(browsing: Browsing, operation: string): () => boolean {
  const before = browsing.results.get(operation)?.length ?? 0;
  return () => (browsing.results.get(operation)?.length ?? 0) > before;
}

function subscribed(browsing: Browsing): () => boolean {
  const before = browsing.sockets.length;
  return () => browsing.sockets.length > before;
}

/** Replaces the active tab's variables, as a person pasting them would. */
async function setVariables(page: Page, variables: Record<string, unknown>): Promise<void> {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
    origin: new URL(page.url()).origin,
  });
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(JSON.stringify(variables))})`);
  await page.locator(".graphiql-editor-tool .monaco-editor").first().click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("ControlOrMeta+V");
}

/** The last HTTP result the page got for an operation, once it has one. */
async function resultOf(browsing: Browsing, operation: string, count = 1): Promise<unknown> {
  await eventually(
    async () => (browsing.results.get(operation)?.length ?? 0) >= count,
    30_000,
    `${operation} result`,
  );
  return browsing.results.get(operation)!.at(-1);
}

interface WorkloadsResult {
  data: {
    resources: { totalCount: number; sequence: string; edges: { node: { kind: string; name: string } }[] };
  };
}

describe.skipIf(!haveChromium)("GraphiQL in Chromium, offline", () => {
  let serve: RunningProcess;
  let sim: string;
  let browsing: Browsing;

  beforeAll(async () => {
    serve = await startMeshsync(["serve", "--sim", "--port", "0"]);
    await eventually(
      async () => (await fetch(`${serve.origin}/readyz`)).status === 200,
      30_000,
      "serve ready",
    );
    sim = simulatorOrigin(serve);
    // A Pod of our own in default, so that the Workloads example has a row whatever the demo holds,
    // and a quiet namespace for the subscription, its own defaults settled before anything is read.
    await simCreate(sim, "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "graphiql-probe", namespace: "default", labels: { app: "graphiql-probe" } },
      spec: { containers: [{ name: "main", image: "nginx:1.27" }] },
    });
    await simCreate(sim, "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "graphiql-follow" },
    });
    await eventually(
      async () =>
        (await graphNames(serve, "default")).includes("graphiql-probe") &&
        (await graphNames(serve, "graphiql-follow")).includes("kube-root-ca.crt"),
      15_000,
      "meshsync holds the probe Pod and the new namespace's defaults",
    );
    browsing = await openBrowser();
  }, 90_000);

  afterAll(async () => {
    await browsing?.context.close();
    await serve?.stop();
  });

  it("leads from / to GraphiQL, which opens on meshsync's example tabs", async () => {
    const { page } = browsing;
    await page.goto(`${serve.origin}/`);
    expect(new URL(page.url()).pathname).toBe("/graphql");
    for (const title of [
      "Workloads",
      "ByLabel",
      "SyncStatus",
      "CountsByKind",
      "NewestPods",
      "FollowChanges",
    ]) {
      await expect.poll(() => page.getByRole("tab", { name: title }).count(), { timeout: 30_000 }).toBe(1);
    }
    await expect
      .poll(() => textOf(page, ".graphiql-query-editor"), { timeout: 10_000 })
      .toContain("query Workloads");
    expect(await textOf(page, ".graphiql-query-editor")).not.toContain("Welcome to");
  }, 60_000);

  it("runs the Workloads example and shows its rows", async () => {
    const { page } = browsing;
    await openTab(page, "Workloads");
    await run(page, queried(browsing, "Workloads"));
    const result = (await resultOf(browsing, "Workloads")) as WorkloadsResult;
    expect(result.data.resources.edges.map((edge) => [edge.node.kind, edge.node.name])).toContainEqual([
      "Pod",
      "graphiql-probe",
    ]);
    await expect
      .poll(() => textOf(page, ".graphiql-response"), { timeout: 10_000 })
      .toContain(`"sequence": "${result.data.resources.sequence}"`);
    expect(await textOf(page, ".graphiql-response")).toMatch(/"totalCount": [1-9]/);
  }, 60_000);

  it("runs FollowChanges from that sequence over graphql-ws and shows the changes as they arrive", async () => {
    const { page } = browsing;
    const page1 = (await resultOf(browsing, "Workloads")) as WorkloadsResult;
    // Made after the query and before the subscription: only a resume from its sequence delivers it.
    await simCreate(
      sim,
      "/api/v1/namespaces/graphiql-follow/configmaps",
      configMap("made-before", "graphiql-follow"),
    );
    await eventually(
      async () => (await graphNames(serve, "graphiql-follow")).includes("made-before"),
      15_000,
      "meshsync holds made-before",
    );
    await openTab(page, "FollowChanges");
    await setVariables(page, { namespace: "graphiql-follow", since: page1.data.resources.sequence });
    await run(page, subscribed(browsing));
    await expect
      .poll(() => textOf(page, ".graphiql-response"), { timeout: 20_000 })
      .toContain('"made-before"');

    await simCreate(
      sim,
      "/api/v1/namespaces/graphiql-follow/configmaps",
      configMap("made-live", "graphiql-follow"),
    );
    await expect.poll(() => textOf(page, ".graphiql-response"), { timeout: 20_000 }).toContain('"made-live"');

    const socket = browsing.sockets.find((s) => s.url() === `${serve.origin.replace(/^http/, "ws")}/graphql`);
    expect(socket, `sockets: ${browsing.sockets.map((s) => s.url()).join(", ")}`).toBeDefined();
    const changes = browsing.frames
      .map(
        (frame) => JSON.parse(frame) as { type: string; payload?: { data?: { resourceChanges?: unknown } } },
      )
      .filter((message) => message.type === "next")
      .map(
        (message) => message.payload?.data?.resourceChanges as { type: string; resource: { name: string } },
      );
    expect(changes.map((change) => [change.type, change.resource.name])).toEqual([
      ["ADDED", "made-before"],
      ["ADDED", "made-live"],
    ]);
    await stop(page);
  }, 60_000);

  it("asked for nothing beyond loopback, and was refused nothing it needed", () => {
    expect(browsing.outside).toEqual([]);
    expect(browsing.refused).toEqual([]);
  });
});

describe.skipIf(!haveChromium)("GraphiQL in Chromium, on a server with a token", () => {
  const token = "graphiql-browser-token";
  let serve: RunningProcess;
  let sim: string;
  let browsing: Browsing;
  const prompts: string[] = [];

  beforeAll(async () => {
    serve = await startMeshsync(["serve", "--sim", "--port", "0", "--token", token]);
    await eventually(
      async () => (await fetch(`${serve.origin}/readyz`)).status === 200,
      30_000,
      "serve ready",
    );
    sim = simulatorOrigin(serve);
    browsing = await openBrowser();
    browsing.page.on("dialog", (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(token);
    });
  }, 90_000);

  afterAll(async () => {
    await browsing?.context.close();
    await serve?.stop();
  });

  it("asks for the token once, keeps it in a same-site cookie, and then answers queries", async () => {
    const { page, context } = browsing;
    await page.goto(`${serve.origin}/graphql`);
    await expect
      .poll(() => page.getByRole("tab", { name: "Workloads" }).count(), { timeout: 30_000 })
      .toBe(1);
    await expect.poll(() => prompts.length, { timeout: 30_000 }).toBe(1);
    expect(prompts[0]).toContain("token");
    // The page sets the cookie once the prompt is answered, a moment after the dialog shows.
    const tokenCookieOf = async () => {
      const cookie = (await context.cookies(serve.origin)).find((c) => c.name === tokenCookie);
      return [cookie?.value, cookie?.sameSite, cookie?.path];
    };
    await expect.poll(tokenCookieOf, { timeout: 10_000 }).toEqual([token, "Strict", "/"]);

    await run(page, queried(browsing, "Workloads"));
    const result = (await resultOf(browsing, "Workloads")) as WorkloadsResult;
    expect(result.data.resources.sequence).toMatch(/:/);
    expect(prompts).toHaveLength(1);
  }, 60_000);

  it("follows changes over graphql-ws with the cookie", async () => {
    const { page } = browsing;
    await openTab(page, "FollowChanges");
    await run(page, subscribed(browsing));
    // The subscription starts from now: keep making changes until the page shows one.
    let made = 0;
    await eventually(
      async () => {
        made += 1;
        await simCreate(
          sim,
          "/api/v1/namespaces/default/configmaps",
          configMap(`with-token-${made}`, "default"),
        );
        return (await textOf(page, ".graphiql-response")).includes('"with-token-');
      },
      20_000,
      "a change shown under the token",
      500,
    );
    expect(browsing.frames.some((frame) => frame.includes('"connection_ack"'))).toBe(true);
    await stop(page);
  }, 60_000);

  it("asked for nothing beyond loopback, and was refused nothing it needed", () => {
    expect(browsing.outside).toEqual([]);
    expect(browsing.refused).toEqual([]);
  });
});
