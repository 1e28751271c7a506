// A query's result of hundreds of kilobytes, written a chunk a turn over each transport: whole, in
// order, never with another message inside it, and a reader that stops taking it is let go.

import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import { sseClient } from "../support/sse-client.js";
import { cluster, configMapType, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

let t: TestServer | undefined;

afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

const blobBytes = 4_000;
const configMaps = 200;

/** ConfigMaps of 4 KB each: their page is some 850 KB of JSON, thirteen chunks; and a pod, so that Pod is a kind. */
function fill(graph: TestServer["graph"], count = configMaps, bytes = blobBytes): void {
  graph.upsert(cluster, podType, pod("seed", "default"));
  for (let i = 0; i < count; i++) {
    graph.upsert(cluster, configMapType, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `cm-${i}`, namespace: "default", uid: `uid-cm-${i}`, resourceVersion: "1" },
      data: { blob: String(i % 10).repeat(bytes) },
    });
  }
}

const longQuery = `{ resources(first: ${configMaps}, filter: { kinds: ["ConfigMap"] }) { edges { node { name object } } } }`;
const podChanges = 'subscription { resourceChanges(filter: { kinds: ["Pod"] }) { type resource { name } } }';

interface Page {
  data?: { resources: { edges: { node: { name: string; object: { data: { blob: string } } } }[] } };
  errors?: unknown[];
}

function expectWholePage(page: Page): void {
  expect(page.errors).toBeUndefined();
  const edges = page.data?.resources.edges ?? [];
  expect(edges).toHaveLength(configMaps);
  for (const { node } of edges) {
    const i = Number(node.name.slice("cm-".length));
    expect(node.object.data.blob).toBe(String(i % 10).repeat(blobBytes));
  }
}

/**
 * Adds pods a turn apart until `done` says the long result is out (a thousand at most), so that their
 * changes come while it is being written; gives their names.
 */
async function addPodsUntil(graph: TestServer["graph"], done: () => boolean): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < 1_000 && !done(); i++) {
    names.push(`p${i}`);
    graph.upsert(cluster, podType, pod(`p${i}`, "default"));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return names;
}

describe("a long query result", () => {
  it("goes over HTTP as a chunked body with the same JSON; a short one keeps its Content-Length", async () => {
    t = await startTestServer();
    fill(t.graph);
    const post = (query: string) =>
      fetch(t!.server.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
    const long = await post(longQuery);
    expect(long.status).toBe(200);
    expect(long.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(long.headers.get("content-length")).toBeNull();
    expect(long.headers.get("transfer-encoding")).toBe("chunked");
    expectWholePage((await long.json()) as Page);
    const short = await post("{ clusters { id } }");
    expect(Number(short.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await short.json()).toEqual({ data: { clusters: [{ id: cluster.id }] } });
  });

  it("goes over graphql-ws as one message, with the changes of a subscription on the same socket around it", async () => {
    t = await startTestServer();
    fill(t.graph);
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("pods", podChanges);
      await eventually(() => t!.graph.log.listenerCount > 0, 5_000, "the subscription to listen");
      socket.subscribe("page", longQuery);
      const added = await addPodsUntil(t.graph, () =>
        socket.messages.some(
          (m) => (m.id === "page" && m.type === "complete") || socket.closeCode !== undefined,
        ),
      );
      expect(added.length).toBeGreaterThan(5);
      await eventually(
        () =>
          socket.closeCode !== undefined ||
          socket.messages.filter((m) => m.id === "pods").length === added.length,
        10_000,
        "every pod's change",
      );
      // ws reads a message whose fragments were interleaved with another as a protocol error (1002).
      expect(socket.closeCode).toBeUndefined();
      const page = socket.messages.filter((m) => m.id === "page");
      expect(page.map((m) => m.type)).toEqual(["next", "complete"]);
      expectWholePage(page[0]!.payload as Page);
      const pods = socket.messages.filter((m) => m.id === "pods");
      expect(
        pods.map(
          (m) =>
            (m.payload as { data: { resourceChanges: { resource: { name: string } } } }).data.resourceChanges
              .resource.name,
        ),
      ).toEqual(added);
    } finally {
      await socket.close();
    }
  });

  it.each([
    ["distinct connections", false],
    ["a single connection", true],
  ])(
    "goes over graphql-sse on %s as one event, with other events around it",
    async (_mode, singleConnection) => {
      t = await startTestServer();
      fill(t.graph);
      const sse = sseClient(t.server.url, { singleConnection });
      try {
        const pods = sse.subscribe(podChanges);
        const first = pods.next();
        await eventually(() => t!.graph.log.listenerCount > 0, 5_000, "the subscription to listen");
        let answered = false;
        const answer = sse
          .subscribe(longQuery)
          .next()
          .finally(() => {
            answered = true;
          });
        const added = await addPodsUntil(t.graph, () => answered);
        expect(added.length).toBeGreaterThan(5);
        expectWholePage((await answer) as Page);
        const names = [await first];
        for (let i = 1; i < added.length; i++) names.push(await pods.next());
        expect(
          names.map(
            (r) =>
              (r.data as { resourceChanges: { resource: { name: string } } }).resourceChanges.resource.name,
          ),
        ).toEqual(added);
        await pods.close();
      } finally {
        sse.dispose();
      }
    },
  );

  it("is given up, and its socket closed as too slow, when its reader takes nothing for slowSocketTimeoutMs", async () => {
    t = await startTestServer({ limits: { slowSocketTimeoutMs: 500, socketHighWaterBytes: 64 * 1024 } });
    // Some 13 MB: far more than the kernel's buffers of both ends hold.
    fill(t.graph, 300, 40_000);
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.ws.pause();
    socket.subscribe("page", longQuery.replace(`first: ${configMaps}`, "first: 300"));
    const evictions = async () =>
      /meshsync_connection_evictions_total\{reason="too_slow"\} (\d+)/.exec(
        await (await fetch(`${t!.server.origin}/metrics`)).text(),
      )?.[1];
    await eventually(async () => (await evictions()) === "1", 15_000, "the reader to be let go");
    socket.ws.resume();
    await socket.closed;
    expect(socket.messages.some((m) => m.id === "page" && m.type === "complete")).toBe(false);
  });
});
