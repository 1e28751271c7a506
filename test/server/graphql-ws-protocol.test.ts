// One test per rule of graphql-ws's PROTOCOL.md that the server enforces, read off a raw socket.
import { Writable } from "node:stream";
import { eventually } from "@meshsync/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CloseCode } from "../../src/api/index.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

const changes = "subscription { resourceChanges { sequence type resource { name } } }";

function closedWith(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

describe("graphql-ws protocol", () => {
  let t: TestServer;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    t = await startTestServer({
      logger: pino({ level: "info" }, sink),
      limits: { connectionInitTimeoutMs: 300, maxRequestBytes: 4096 },
    });
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("closes with 4406 a socket that did not ask for graphql-transport-ws", async () => {
    // (A client that asks only for another subprotocol is answered without one, and gives up itself.)
    const ws = new WebSocket(t.server.url.replace(/^http/, "ws"));
    expect(await closedWith(ws)).toEqual({
      code: CloseCode.SubprotocolNotAcceptable,
      reason: "Subprotocol not acceptable",
    });
  });

  it("closes with 4408 a socket that sends no connection_init in time", async () => {
    const socket = await RawGraphqlSocket.open(t.server.url);
    const started = Date.now();
    expect(await socket.closed).toBe(CloseCode.ConnectionInitialisationTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("closes with 4429 on a second connection_init", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.send({ type: "connection_init" });
    expect(await socket.closed).toBe(CloseCode.TooManyInitialisationRequests);
  });

  it("closes with 4401 a subscribe before connection_ack", async () => {
    const socket = await RawGraphqlSocket.open(t.server.url);
    socket.subscribe("early", changes);
    expect(await socket.closed).toBe(CloseCode.Unauthorized);
  });

  it("closes with 4409 a subscribe whose id is still running", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.subscribe("same", changes);
    socket.subscribe("same", changes);
    expect(await socket.closed).toBe(CloseCode.SubscriberAlreadyExists);
  });

  it("closes with 4400 a message only a server may send", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.send({ type: "next", id: "x", payload: {} });
    expect(await socket.closed).toBe(CloseCode.BadRequest);
  });

  it("answers ping with pong, echoing the payload, and without one when none came", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.send({ type: "ping", payload: { n: 1 } });
    expect(await socket.waitFor((m) => m.type === "pong")).toEqual({ type: "pong", payload: { n: 1 } });
    socket.messages.length = 0;
    socket.send({ type: "ping" });
    expect(await socket.waitFor((m) => m.type === "pong")).toEqual({ type: "pong" });
    await socket.close();
  });

  it("acknowledges without a payload, and answers a query with next then complete", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    expect(socket.messages[0]).toEqual({ type: "connection_ack" });
    socket.subscribe("q", "{ clusters { id } }");
    await socket.waitFor((m) => m.id === "q" && m.type === "complete");
    expect(socket.messages.filter((m) => m.id === "q")).toEqual([
      { id: "q", type: "next", payload: { data: { clusters: [{ id: cluster.id }] } } },
      { id: "q", type: "complete" },
    ]);
    await socket.close();
  });

  it("sends validation errors as an error message, and the socket goes on", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.subscribe("bad", "{ noSuchField }");
    const error = await socket.waitFor((m) => m.id === "bad");
    expect(error.type).toBe("error");
    expect(JSON.stringify(error.payload)).toContain("noSuchField");
    socket.subscribe("good", "{ clusters { id } }");
    expect((await socket.waitFor((m) => m.id === "good")).type).toBe("next");
    await socket.close();
  });

  it("stops an operation on complete, with no reply, and lets its id be used again", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.subscribe("s", changes);
    await eventually(() => t.graph.log.listenerCount === 1, 5000, "the subscription to start");
    socket.send({ type: "complete", id: "s" });
    await eventually(() => t.graph.log.listenerCount === 0, 5000, "the subscription to stop");
    socket.subscribe("s", changes);
    await eventually(() => t.graph.log.listenerCount === 1, 5000, "the id to be reused");
    t.graph.upsert(cluster, podType, pod("after-reuse", "default"));
    const next = await socket.waitFor((m) => m.id === "s" && m.type === "next");
    expect(JSON.stringify(next.payload)).toContain("after-reuse");
    expect(socket.messages.some((m) => m.type === "complete")).toBe(false);
    await socket.close();
  });

  it("closes an oversized message with 1009 and says so in one JSON log line", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    socket.subscribe("big", `{ clusters { id } } # ${"x".repeat(8192)}`);
    expect(await socket.closed).toBe(CloseCode.MessageTooBig);
    await eventually(
      () => logLines.some((line) => String(line.msg).includes("Max payload size exceeded")),
      5000,
      "the log line",
    );
    const lines = logLines.filter((line) => String(line.msg).includes("Max payload size exceeded"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" });
  });
});

describe("sockets waiting for connection_init", () => {
  it("have a pool of their own: past it upgrades get 503, while acknowledged sockets still fit", async () => {
    const capped = await startTestServer({
      limits: { maxUnauthenticatedConnections: 2, maxConnections: 10 },
    });
    try {
      const waiting = [
        await RawGraphqlSocket.open(capped.server.url),
        await RawGraphqlSocket.open(capped.server.url),
      ];
      await expect(RawGraphqlSocket.open(capped.server.url)).rejects.toThrow(/upgrade refused: 503/);
      // Acknowledging one frees its place in the waiting pool; the server keeps serving.
      waiting[0]!.send({ type: "connection_init" });
      await waiting[0]!.waitFor((m) => m.type === "connection_ack");
      const next = await RawGraphqlSocket.connect(capped.server.url);
      await Promise.all([...waiting, next].map((s) => s.close()));
    } finally {
      await capped.server.close();
    }
  });

  it("cannot take the slots of acknowledged ones: at the limit, a late acknowledgement gets 4503", async () => {
    const capped = await startTestServer({ limits: { maxUnauthenticatedConnections: 5, maxConnections: 1 } });
    try {
      const waiting = await RawGraphqlSocket.open(capped.server.url);
      const first = await RawGraphqlSocket.connect(capped.server.url);
      waiting.send({ type: "connection_init" });
      expect(await waiting.closed).toBe(CloseCode.ServerBusy);
      first.subscribe("q", "{ clusters { id } }");
      expect((await first.waitFor((m) => m.id === "q")).type).toBe("next");
      await first.close();
    } finally {
      await capped.server.close();
    }
  });
});
