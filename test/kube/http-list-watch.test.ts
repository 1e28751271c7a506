import { afterEach, describe, expect, it } from "vitest";
import { kubeConfigForContext, loadKubeConfig } from "../../src/kube/connect.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { KubeHttpClient } from "../../src/kube/http-client.js";
import { HttpListerWatcher } from "../../src/kube/list-watch.js";
import { type Logger, silentLogger } from "../../src/kube/logger.js";
import type { WatchEvent } from "../../src/kube/watch-event.js";
import { configMaps } from "./fakes.js";
import { kubeconfigFor, sendJson, startTinyServer, type TinyServer } from "./tiny-server.js";

let server: TinyServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function clientFor(url: string): KubeHttpClient {
  const base = loadKubeConfig({ kubeconfigYaml: kubeconfigFor(url) });
  return new KubeHttpClient(kubeConfigForContext(base, "tiny"));
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (obj: object) => warnings.push(JSON.stringify(obj)) };
}

describe("HttpListerWatcher over HTTP", () => {
  it("lists with limit and continue, filling kind and apiVersion that list items leave out", async () => {
    server = await startTinyServer((_request, response, url) => {
      const page2 = url.searchParams.get("continue") === "tok";
      sendJson(response, 200, {
        kind: "ConfigMapList",
        apiVersion: "v1",
        metadata: page2 ? { resourceVersion: "12" } : { resourceVersion: "12", continue: "tok" },
        items: page2
          ? [{ metadata: { name: "b", namespace: "default", uid: "uid-b", resourceVersion: "11" } }]
          : [
              { metadata: { name: "a", namespace: "default", uid: "uid-a", resourceVersion: "10" } },
              { metadata: { name: "no-uid", namespace: "default" } },
              { kind: "NoMetadata" },
              { kind: "Secret", metadata: { name: "s", namespace: "default", uid: "uid-s" } },
            ],
      });
    });
    const logger = capturingLogger();
    const lw = new HttpListerWatcher(clientFor(server.url), configMaps, logger);

    const first = await lw.list({ limit: 3 });
    const second = await lw.list({ limit: 3, continue: first.continue });
    expect(server.requests[0]?.path).toBe("/api/v1/configmaps");
    expect(server.requests[0]?.query.get("limit")).toBe("3");
    expect(server.requests[1]?.query.get("continue")).toBe("tok");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer secret-token");
    expect(first.items).toEqual([
      {
        kind: "ConfigMap",
        apiVersion: "v1",
        metadata: { name: "a", namespace: "default", uid: "uid-a", resourceVersion: "10" },
      },
    ]);
    expect(first.continue).toBe("tok");
    expect(second).toMatchObject({ resourceVersion: "12", items: [{ kind: "ConfigMap", apiVersion: "v1" }] });
    expect(second.continue).toBeUndefined();
    expect(lw.skipped).toBe(3);
    expect(logger.warnings).toHaveLength(3);
  });

  it("watches with bookmarks and a timeout, skipping lines that are not JSON or objects without uid", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    server = await startTinyServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      const lines = [
        "this is not json",
        JSON.stringify({ type: "ADDED", object: { kind: "ConfigMap" } }),
        JSON.stringify({ type: "ADDED", object: { metadata: { name: "nouid" } } }),
        JSON.stringify({ type: "SURPRISE", object: {} }),
        JSON.stringify({ type: "ADDED", object: { kind: "Secret", metadata: { name: "s", uid: "uid-s" } } }),
        `{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"d","uid":"uid-a","resourceVersion":"5"}}}`,
        JSON.stringify({
          type: "MODIFIED",
          object: {
            metadata: { name: "big", namespace: "d", uid: "uid-big", resourceVersion: "6" },
            data: { big },
          },
        }),
        JSON.stringify({
          type: "BOOKMARK",
          object: { kind: "ConfigMap", metadata: { resourceVersion: "7" } },
        }),
      ];
      // Split mid-line to show that events are reassembled across chunks.
      const text = `${lines.join("\n")}\n`;
      response.write(text.slice(0, 50));
      setTimeout(() => response.end(text.slice(50)), 20);
    });
    const logger = capturingLogger();
    const lw = new HttpListerWatcher(clientFor(server.url), configMaps, logger);
    const stream = await lw.watch({ resourceVersion: "4", timeoutSeconds: 321 });
    const events: WatchEvent[] = [];
    for await (const event of stream) events.push(event);

    const query = server.requests[0]?.query;
    expect(query?.get("watch")).toBe("true");
    expect(query?.get("resourceVersion")).toBe("4");
    expect(query?.get("allowWatchBookmarks")).toBe("true");
    expect(query?.get("timeoutSeconds")).toBe("321");
    expect(events.map((event) => [event.type, event.object.metadata?.resourceVersion])).toEqual([
      ["ADDED", "5"],
      ["MODIFIED", "6"],
      ["BOOKMARK", "7"],
    ]);
    expect(events[0]?.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1" });
    expect(JSON.stringify(events[1]?.object.data)).toHaveLength(big.length + 10);
    expect(lw.skipped).toBe(5);
    expect(logger.warnings.join("\n")).toContain("not JSON");
  });

  it("turns a 429 with Retry-After into an error that carries the wait", async () => {
    server = await startTinyServer((_request, response) => {
      sendJson(
        response,
        429,
        {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "TooManyRequests",
          code: 429,
          message: "slow down",
        },
        { "Retry-After": "3" },
      );
    });
    const lw = new HttpListerWatcher(clientFor(server.url), configMaps, silentLogger);
    const error = await lw.watch({ resourceVersion: "1", timeoutSeconds: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({
      status: 429,
      reason: "TooManyRequests",
      retryAfterSeconds: 3,
      message: "slow down",
    });
  });

  it("reports a non-JSON error body with the status it came with", async () => {
    server = await startTinyServer((_request, response) => {
      response.writeHead(502);
      response.end("bad gateway");
    });
    const lw = new HttpListerWatcher(clientFor(server.url), configMaps, silentLogger);
    const error = await lw.list({}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502 });
    expect(String((error as Error).message)).toContain("bad gateway");
  });
});
