// The clients of bench/fanout.bench.ts, in a process of their own: raw graphql-transport-ws sockets,
// each carrying subscriptions of several groups, timing every delivery from the send time it carries.
import WebSocket from "ws";
import type { ServerKind } from "./fanout-server.js";

export type ClientsCommand =
  | {
      command: "start";
      url: string;
      kind: ServerKind;
      subscriptions: number;
      perSocket: number;
      groups: number;
    }
  | { command: "report"; churnStart: number; churnEnd: number }
  | { command: "stop" };

export interface ClientsReport {
  reply: "report";
  received: number;
  receivedDuringChurn: number;
  lastArrival: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export type ClientsReply = { reply: "ready" } | ClientsReport;

const selection = "sequence type resource { name namespace resourceVersion object }";
const documents: Record<ServerKind, string> = {
  meshsync: `subscription Bench($ns: String!) { resourceChanges(filter: { namespaces: [$ns] }) { ${selection} } }`,
  recipe: `subscription Bench($ns: String!) { resourceChanges(namespace: $ns) { ${selection} } }`,
};

const now = () => performance.timeOrigin + performance.now();
let latencies = new Float64Array(1 << 20);
let arrivals = new Float64Array(1 << 20);
let count = 0;
let errors = 0;
const sockets: WebSocket[] = [];

function record(sent: number, at: number): void {
  if (count === latencies.length) {
    const grow = (from: Float64Array) => {
      const to = new Float64Array(from.length * 2);
      to.set(from);
      return to;
    };
    latencies = grow(latencies);
    arrivals = grow(arrivals);
  }
  latencies[count] = at - sent;
  arrivals[count] = at;
  count++;
}

function onMessage(data: WebSocket.RawData): void {
  const text = String(data);
  const at = now();
  const mark = text.indexOf('"sent":"');
  if (mark < 0) {
    if (text.includes('"type":"error"')) errors++;
    return;
  }
  const start = mark + 8;
  record(Number(text.slice(start, text.indexOf('"', start))), at);
}

function open(
  url: string,
  kind: ServerKind,
  first: number,
  perSocket: number,
  groups: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    sockets.push(ws);
    ws.on("error", reject);
    ws.on("open", () => ws.send('{"type":"connection_init"}'));
    let acked = false;
    ws.on("message", (data) => {
      if (acked) return onMessage(data);
      acked = true;
      for (let i = 0; i < perSocket; i++) {
        const n = first + i;
        const payload = { query: documents[kind], variables: { ns: `ns-${n % groups}` } };
        ws.send(JSON.stringify({ id: String(n), type: "subscribe", payload }));
      }
      resolve();
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

process.on("message", async (message: ClientsCommand) => {
  if (message.command === "start") {
    const { url, kind, subscriptions, perSocket, groups } = message;
    const opening: Promise<void>[] = [];
    for (let first = 0; first < subscriptions; first += perSocket) {
      opening.push(open(url, kind, first, Math.min(perSocket, subscriptions - first), groups));
      // Connect in small waves, as clients arrive, not as a SYN flood.
      if (opening.length % 50 === 0) await Promise.all(opening);
    }
    await Promise.all(opening);
    // Let the server register the last subscriptions before changes start.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    process.send?.({ reply: "ready" } satisfies ClientsReply);
  } else if (message.command === "report") {
    const taken = latencies.slice(0, count).sort();
    let duringChurn = 0;
    let lastArrival = 0;
    for (let i = 0; i < count; i++) {
      if (arrivals[i]! <= message.churnEnd) duringChurn++;
      lastArrival = Math.max(lastArrival, arrivals[i]!);
    }
    process.send?.({
      reply: "report",
      received: count,
      receivedDuringChurn: duringChurn,
      lastArrival,
      p50: percentile(taken, 50),
      p99: percentile(taken, 99),
      max: taken.length === 0 ? 0 : taken[taken.length - 1]!,
      errors,
    } satisfies ClientsReply);
  } else {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
