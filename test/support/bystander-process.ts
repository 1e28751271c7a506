// A healthy client of `meshsync serve`, run as a process of its own (test/support/bystander.ts starts
// it) so that what it measures is the server's latency, not that of a test process busy attacking: a
// small query every 50 ms over HTTP, and a subscriber following a ConfigMap that it rewrites through the
// simulator every 100 ms, each write carrying its send time. It prints one JSON line per event.
import { FollowObjectsDocument, ListObjectsDocument } from "../generated/graphql.js";
import { follow, type Transport } from "./follow.js";
import { query } from "./graphql-client.js";

export interface BystanderConfig {
  graphqlUrl: string;
  simOrigin: string;
  token: string | undefined;
  transport: Transport;
  namespace: string;
}

/** What the process prints, one per line. */
export type BystanderEvent =
  /** The subscriber has received its first change: measuring can begin. */
  | { kind: "ready" }
  /** A query that started at `start` (epoch ms) took `ms`; `error` says what was wrong with its answer. */
  | { kind: "query"; start: number; ms: number; error?: string }
  /** A marker written at `stamp` (epoch ms) reached the subscriber `ms` later. */
  | { kind: "change"; stamp: number; ms: number }
  /** A marker was written at `stamp`. */
  | { kind: "sent"; stamp: number };

// Light enough not to be part of the load it measures: at ten times this rate the bystander's own
// traffic pushed an attack that serves four pages of whole objects ten at once past 500 ms.
const queryEveryMs = 50;
const markEveryMs = 100;
/** A query still unanswered after this counts as answered this late, with an error. */
const queryTimeoutMs = 10_000;

const config = JSON.parse(process.argv[2] ?? "{}") as BystanderConfig;
let running = true;
process.on("SIGTERM", () => {
  running = false;
});

function emit(event: BystanderEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function simWrite(
  method: string,
  path: string,
  body: unknown,
  type = "application/json",
): Promise<void> {
  const response = await fetch(`${config.simOrigin}${path}`, {
    method,
    headers: { "content-type": type },
    body: JSON.stringify(body),
  });
  if (!response.ok && response.status !== 409) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
}

async function queryLoop(): Promise<void> {
  while (running) {
    const start = Date.now();
    let error: string | undefined;
    try {
      const result = await Promise.race([
        query(
          config.graphqlUrl,
          ListObjectsDocument,
          { filter: { kinds: ["Pod"] }, first: 20 },
          config.token,
        ),
        sleep(queryTimeoutMs).then(() => {
          throw new Error(`no answer within ${queryTimeoutMs} ms`);
        }),
      ]);
      if (
        result.status !== 200 ||
        result.errors !== undefined ||
        result.data?.resources.edges.length !== 20
      ) {
        error = `HTTP ${result.status}: ${JSON.stringify(result.errors ?? result.data).slice(0, 200)}`;
      }
    } catch (failure) {
      error = String(failure);
    }
    emit({ kind: "query", start, ms: Date.now() - start, ...(error === undefined ? {} : { error }) });
    await sleep(queryEveryMs);
  }
}

async function markerLoop(): Promise<void> {
  const path = `/api/v1/namespaces/${config.namespace}/configmaps`;
  await simWrite("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: config.namespace },
  });
  await simWrite("POST", path, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "marker" },
    data: { sent: String(Date.now()) },
  });
  let last = 0;
  while (running) {
    await sleep(markEveryMs);
    const stamp = Math.max(Date.now(), last + 1);
    last = stamp;
    emit({ kind: "sent", stamp });
    await simWrite(
      "PATCH",
      `${path}/marker`,
      { data: { sent: String(stamp) } },
      "application/merge-patch+json",
    );
  }
}

let ready = false;
const following = follow(
  config.transport,
  config.graphqlUrl,
  FollowObjectsDocument,
  { filter: { namespaces: [config.namespace], kinds: ["ConfigMap"] } },
  (data) => {
    const sent = (data.resourceChanges.resource?.object as { data?: { sent?: string } } | undefined)?.data
      ?.sent;
    if (sent === undefined) return;
    if (!ready) {
      ready = true;
      emit({ kind: "ready" });
    }
    emit({ kind: "change", stamp: Number(sent), ms: Date.now() - Number(sent) });
  },
  config.token,
);

await Promise.all([queryLoop(), markerLoop()]);
await following.stop();
process.exit(0);
