// Subscription.podLogs with a provider function: in-process (graphql-js's subscribe) for the rules, and
// over graphql-ws against a real server for the fan-out path (shared streams, per-socket bounds).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type ExecutionResult, subscribe as graphqlSubscribe, parse, validate } from "graphql";
import { createClient } from "graphql-ws";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ApiContext, createApiContext, type PodLogRequest, schema } from "../../src/api/index.js";
import { ResourceGraph } from "../../src/graph/index.js";
import type { KubeObject } from "../../src/kube/types.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "../server/fixtures.js";
import { subscribe } from "../support/graphql-client.js";

const logsDocument = `subscription Logs($namespace: String!, $pod: String!, $container: String, $follow: Boolean, $tailLines: Int) {
  podLogs(namespace: $namespace, pod: $pod, container: $container, follow: $follow, tailLines: $tailLines) { kind number text truncated }
}`;

interface LogLine {
  kind: string;
  number: number;
  text: string;
  truncated: boolean;
}

function twoContainerPod(): KubeObject {
  const base = pod("multi", "shop");
  return {
    ...base,
    spec: { containers: [{ name: "app" }, { name: "sidecar" }], initContainers: [{ name: "init" }] },
  };
}

/** A provider that logs what it was asked and plays `lines`, then ends (or waits, when following). */
function recordingProvider(lines: readonly string[]) {
  const requests: PodLogRequest[] = [];
  const aborted: boolean[] = [];
  const provider = (request: PodLogRequest, signal: AbortSignal): AsyncIterable<string> => {
    requests.push(request);
    const index = aborted.push(false) - 1;
    signal.addEventListener("abort", () => {
      aborted[index] = true;
    });
    return (async function* () {
      for (const line of lines) yield line;
      if (request.follow) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      }
    })();
  };
  return { provider, requests, aborted };
}

function graphWithPods(): ResourceGraph {
  const graph = new ResourceGraph();
  graph.addCluster(cluster);
  graph.upsert(cluster, podType, pod("web-1", "shop"));
  graph.upsert(cluster, podType, twoContainerPod());
  return graph;
}

async function open(context: ApiContext, variables: Record<string, unknown>) {
  const document = parse(logsDocument);
  expect(validate(schema, document)).toEqual([]);
  return graphqlSubscribe({ schema, document, contextValue: context, variableValues: variables });
}

async function collect(result: Awaited<ReturnType<typeof open>>): Promise<ExecutionResult[]> {
  if (!(Symbol.asyncIterator in result)) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  const events: ExecutionResult[] = [];
  for await (const event of result) events.push(event);
  return events;
}

function refusal(result: Awaited<ReturnType<typeof open>>): { code: unknown; message: string } {
  if (Symbol.asyncIterator in result) throw new Error("not refused");
  const error = result.errors?.[0];
  return { code: error?.extensions?.code, message: error?.message ?? "" };
}

describe("podLogs in-process", () => {
  it("sends the lines, numbered, then END, reading the pod's only container", async () => {
    const { provider, requests } = recordingProvider(["first", "second"]);
    const context = createApiContext({ graph: graphWithPods(), podLogs: provider });
    const events = await collect(await open(context, { namespace: "shop", pod: "web-1", tailLines: 2 }));
    expect(events.map((e) => (e.data as { podLogs: LogLine }).podLogs)).toEqual([
      { kind: "LINE", number: 1, text: "first", truncated: false },
      { kind: "LINE", number: 2, text: "second", truncated: false },
      { kind: "END", number: 2, text: "end of log", truncated: false },
    ]);
    expect(requests).toEqual([
      {
        clusterId: cluster.id,
        namespace: "shop",
        pod: "web-1",
        container: "main",
        follow: false,
        tailLines: 2,
        previous: false,
      },
    ]);
    // Its room is given back once the log ended.
    expect(context.logStreams?.total).toBe(0);
  });

  it("cuts a line past the bound at a character, and says so", async () => {
    const { provider } = recordingProvider(["ééééé-and-more", "ok"]);
    const context = createApiContext({
      graph: graphWithPods(),
      podLogs: provider,
      limits: { maxLogLineBytes: 5 },
    });
    const events = await collect(await open(context, { namespace: "shop", pod: "web-1" }));
    const lines = events.map((e) => (e.data as { podLogs: LogLine }).podLogs);
    expect(lines[0]).toEqual({ kind: "LINE", number: 1, text: "éé", truncated: true });
    expect(lines[1]).toEqual({ kind: "LINE", number: 2, text: "ok", truncated: false });
  });

  it("refuses what kubectl logs refuses, before opening anything", async () => {
    const { provider, requests } = recordingProvider([]);
    const context = createApiContext({
      graph: graphWithPods(),
      podLogs: provider,
      limits: { maxLogTailLines: 100 },
    });
    expect(refusal(await open(context, { namespace: "shop", pod: "nope" }))).toEqual({
      code: "BAD_USER_INPUT",
      message: `pod "shop/nope" does not exist in cluster ${cluster.id}`,
    });
    const several = refusal(await open(context, { namespace: "shop", pod: "multi" }));
    expect(several.code).toBe("BAD_USER_INPUT");
    expect(several.message).toContain("has 2 containers: name one of app, sidecar");
    const wrong = refusal(await open(context, { namespace: "shop", pod: "multi", container: "db" }));
    expect(wrong.message).toContain(
      'container "db" is not in pod "shop/multi"; its containers are app, sidecar, init',
    );
    expect(refusal(await open(context, { namespace: "shop", pod: "web-1", tailLines: 101 })).message).toBe(
      "tailLines must be between 0 and 100; got 101",
    );
    expect(refusal(await open(context, { namespace: "Bad_Name", pod: "web-1" })).code).toBe("BAD_USER_INPUT");
    expect(requests).toEqual([]);
    // An init container can be read by name.
    await collect(await open(context, { namespace: "shop", pod: "multi", container: "init" }));
    expect(requests.map((r) => r.container)).toEqual(["init"]);
  });

  it("says UNSUPPORTED on a server without a log reader", async () => {
    const context = createApiContext({ graph: graphWithPods() });
    expect(refusal(await open(context, { namespace: "shop", pod: "web-1" })).code).toBe("UNSUPPORTED");
  });

  it("ends with the API server's error when reading fails", async () => {
    const provider = (): AsyncIterable<string> =>
      (async function* () {
        yield "one";
        throw Object.assign(new Error('container "main" in pod "web-1" is waiting to start'), {
          status: 400,
        });
      })();
    const context = createApiContext({ graph: graphWithPods(), podLogs: provider });
    const events = await collect(await open(context, { namespace: "shop", pod: "web-1" }));
    expect(events).toHaveLength(2);
    expect(events[1]?.data).toBeNull();
    expect(events[1]?.errors?.[0]?.message).toBe(
      'reading the log failed: container "main" in pod "web-1" is waiting to start',
    );
    expect(events[1]?.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("bounds the streams open at once, and stops a followed log when the reader leaves", async () => {
    const { provider, aborted } = recordingProvider(["a"]);
    const context = createApiContext({
      graph: graphWithPods(),
      podLogs: provider,
      limits: { maxLogStreams: 1 },
    });
    const first = await open(context, { namespace: "shop", pod: "web-1", follow: true });
    if (!(Symbol.asyncIterator in first)) throw new Error("refused");
    const step = await first.next();
    expect(step.done ? undefined : (step.value.data as { podLogs: LogLine }).podLogs.text).toBe("a");
    expect(refusal(await open(context, { namespace: "shop", pod: "web-1" })).code).toBe("SERVER_BUSY");
    await first.return?.();
    expect(aborted).toEqual([true]);
    expect(context.logStreams?.total).toBe(0);
    await collect(await open(context, { namespace: "shop", pod: "web-1" }));
  });
});

describe("podLogs over graphql-ws", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.server.close();
    t = undefined;
  });

  it("shares one stream between identical subscriptions, each reading it from the start", async () => {
    const { provider, requests, aborted } = recordingProvider(["alpha", "beta"]);
    t = await startTestServer({ podLogs: provider });
    t.graph.upsert(cluster, podType, pod("web-1", "shop"));
    const document = parse(logsDocument) as TypedDocumentNode<{ podLogs: LogLine }, Record<string, unknown>>;
    const variables = { namespace: "shop", pod: "web-1", follow: true };
    const one = subscribe(t.server.url, document, variables);
    expect((await one.take(2)).map((e) => e.podLogs.text)).toEqual(["alpha", "beta"]);
    const two = subscribe(t.server.url, document, variables);
    expect((await two.take(2)).map((e) => e.podLogs)).toEqual([
      { kind: "LINE", number: 1, text: "alpha", truncated: false },
      { kind: "LINE", number: 2, text: "beta", truncated: false },
    ]);
    expect(requests).toHaveLength(1);
    await one.close();
    await two.close();
    await expect.poll(() => aborted).toEqual([true]);
  });

  it("bounds the log streams one socket opens, with TOO_MANY_SUBSCRIPTIONS", async () => {
    const { provider } = recordingProvider(["x"]);
    t = await startTestServer({ podLogs: provider, limits: { maxLogStreamsPerClient: 1 } });
    t.graph.upsert(cluster, podType, pod("web-1", "shop"));
    t.graph.upsert(cluster, podType, pod("web-2", "shop"));
    const client = createClient({
      url: t.server.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const first = client.iterate<{ podLogs: LogLine }>({
        query: logsDocument,
        variables: { namespace: "shop", pod: "web-1", follow: true },
      });
      expect((await first.next()).value?.data?.podLogs.text).toBe("x");
      const second = client.iterate({
        query: logsDocument,
        variables: { namespace: "shop", pod: "web-2", follow: true },
      });
      const failure = await second.next().then(
        (value) => value,
        (error: unknown) => error,
      );
      expect(JSON.stringify(failure)).toContain("TOO_MANY_SUBSCRIPTIONS");
      await first.return?.();
    } finally {
      await client.dispose();
    }
  });
});
