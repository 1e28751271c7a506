import { eventually } from "@meshsync/testing";
import { afterEach, describe, expect, it } from "vitest";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";

let t: TestServer | undefined;

afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

function openEventStream(
  url: string,
  since: string,
  signal: AbortSignal,
  selection = "sequence type resource { name }",
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({
      query: `subscription($since: String) { resourceChanges(since: $since) { ${selection} } }`,
      variables: { since },
    }),
    signal,
  });
}

describe("resourceChanges over server-sent events", () => {
  it("streams changes and releases the subscription when the client goes away", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const aborter = new AbortController();
    const response = await openEventStream(server.url, graph.log.cursor(), aborter.signal);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    graph.upsert(cluster, podType, pod("over-sse", "default"));
    let text = "";
    while (!text.includes("over-sse")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += Buffer.from(chunk.value).toString("utf8");
    }
    expect(text).toContain('"type":"ADDED"');
    expect(graph.log.listenerCount).toBe(1);
    aborter.abort();
    await eventually(
      () => graph.log.listenerCount === 0,
      10_000,
      "the event stream's listener to be released",
    );
  });

  it("bounds a stream whose reader stopped reading", async () => {
    t = await startTestServer({ limits: { subscriptionQueueSize: 20 } });
    const { graph, server } = t;
    const aborter = new AbortController();
    const response = await openEventStream(
      server.url,
      graph.log.cursor(),
      aborter.signal,
      "sequence resource { object }",
    );
    expect(response.status).toBe(200);
    // The body is never read: the client's buffers fill, then the server's, then the queue overflows.
    const bulk = "x".repeat(16 * 1024);
    for (let i = 0; i < 2000; i++) {
      const object = pod(`p${i % 100}`, "default", { rv: String(i + 1) });
      object.metadata!.annotations = { bulk };
      graph.upsert(cluster, podType, object);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(
      async () => {
        const metrics = await (await fetch(`${server.origin}/metrics`)).text();
        return Number(/meshsync_subscription_resyncs_total (\d+)/.exec(metrics)?.[1]) > 0;
      },
      10_000,
      "the stalled stream to overflow",
    );
    expect(graph.log.listenerCount).toBe(1);
    aborter.abort();
    await eventually(
      () => graph.log.listenerCount === 0,
      10_000,
      "the stalled stream's listener to be released",
    );
  });
});
