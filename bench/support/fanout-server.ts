// The server side of bench/fanout.bench.ts, in a process of its own: meshsync's server over a graph, or
// the plain graphql-yoga createPubSub + graphql-ws recipe, both fed the same ConfigMap changes in
// process (each carries its send time in data.sent). Speaks to the bench over IPC.
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionArgs } from "graphql";
import type { Context, SubscribePayload } from "graphql-ws";
import { type Extra, useServer } from "graphql-ws/use/ws";
import { createPubSub, createSchema, createYoga, filter, pipe } from "graphql-yoga";
import pino from "pino";
import { WebSocketServer } from "ws";
import { ResourceGraph } from "../../src/graph/index.js";
import type { KubeObject } from "../../src/kube/types.js";
import { startServer } from "../../src/server/index.js";

export type ServerKind = "meshsync" | "recipe";

export type ServerCommand =
  | { command: "start"; kind: ServerKind; groups: number }
  | { command: "churn"; perSecond: number; seconds: number }
  | { command: "stats" }
  | { command: "stop" };

export type ServerReply =
  | { reply: "listening"; url: string }
  | {
      reply: "stats";
      changesPerGroup: number[];
      /** Errors the server threw outside any handler (the recipe's pubsub overflows), kept alive to count. */
      uncaught: number;
      firstUncaught: string | undefined;
    };

const cluster = { id: "bench-cluster", name: "bench" };
const configMapType = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
  verbs: ["get", "list", "watch"],
};
const pad = "x".repeat(200);

function send(message: ServerReply): void {
  process.send?.(message);
}

function configMap(group: number, index: number, rv: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `cm-${index}`,
      namespace: `ns-${group}`,
      uid: `uid-${group}-${index}`,
      resourceVersion: String(rv),
    },
    data: { sent: String(performance.timeOrigin + performance.now()), pad },
  };
}

interface Publisher {
  url: string;
  publish(object: KubeObject, sequence: number): void;
}

async function startMeshsync(): Promise<Publisher> {
  const graph = new ResourceGraph();
  graph.addCluster(cluster);
  const server = await startServer({
    graph,
    host: "127.0.0.1",
    port: 0,
    logger: pino({ level: "warn" }),
    readiness: () => ({ ready: true }),
    limits: { maxConnections: 2000, maxSubscriptionsPerSocket: 100 },
  });
  return { url: server.url, publish: (object) => graph.upsert(cluster, configMapType, object) };
}

/** graphql-yoga's documented graphql-ws integration, with a pubsub subscription filtered per namespace. */
async function startRecipe(): Promise<Publisher> {
  interface Change {
    sequence: string;
    type: string;
    resource: { name: string; namespace: string; resourceVersion: string; object: KubeObject };
  }
  const pubSub = createPubSub<{ change: [Change] }>();
  const yoga = createYoga({
    logging: false,
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        scalar JSON
        type Query { ok: Boolean }
        type Resource { name: String! namespace: String! resourceVersion: String! object: JSON }
        type ResourceChange { sequence: String! type: String! resource: Resource }
        type Subscription { resourceChanges(namespace: String!): ResourceChange! }
      `,
      resolvers: {
        Subscription: {
          resourceChanges: {
            subscribe: (_root: unknown, args: { namespace: string }) =>
              pipe(
                pubSub.subscribe("change"),
                filter((change: Change) => change.resource.namespace === args.namespace),
              ),
            resolve: (change: Change) => change,
          },
        },
      },
    }),
  });
  const server = createServer(yoga);
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  type Enveloped = ReturnType<typeof yoga.getEnveloped>;
  type Args = ExecutionArgs & { rootValue: Pick<Enveloped, "execute" | "subscribe"> };
  useServer(
    {
      execute: (args) => (args as Args).rootValue.execute(args),
      subscribe: (args) => (args as Args).rootValue.subscribe(args),
      onSubscribe: async (
        ctx: Context<Record<string, unknown> | undefined, Extra>,
        _id: string,
        params: SubscribePayload,
      ) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    publish: (object, sequence) =>
      pubSub.publish("change", {
        sequence: String(sequence),
        type: "MODIFIED",
        resource: {
          name: object.metadata!.name!,
          namespace: object.metadata!.namespace!,
          resourceVersion: object.metadata!.resourceVersion!,
          object,
        },
      }),
  };
}

// yoga's pubsub is an EventTarget with one listener per subscription: a thousand is the point here.
EventEmitter.defaultMaxListeners = 100_000;

let publisher: Publisher | undefined;
let groups = 10;
let uncaught = 0;
let firstUncaught: string | undefined;
// graphql-yoga's pubsub throws from its event listener once a subscriber has 1024 pending events, which
// would end the process; it is kept alive and counted instead, so the run still yields figures.
process.on("uncaughtException", (error) => {
  uncaught++;
  firstUncaught ??= `${error.name}: ${error.message}`;
});

let changesPerGroup: number[] = [];

/** Changes at a steady rate in 10 ms ticks, round-robin over the groups' namespaces. */
function churn(perSecond: number, seconds: number): void {
  changesPerGroup = new Array<number>(groups).fill(0);
  const started = performance.now();
  let made = 0;
  const timer = setInterval(() => {
    const due = Math.min(perSecond * seconds, Math.floor(((performance.now() - started) / 1000) * perSecond));
    for (; made < due; made++) {
      const group = made % groups;
      changesPerGroup[group]!++;
      publisher!.publish(configMap(group, Math.floor(made / groups) % 100, made + 1), made + 1);
    }
    if (made >= perSecond * seconds) clearInterval(timer);
  }, 10);
}

process.on("message", async (message: ServerCommand) => {
  if (message.command === "start") {
    groups = message.groups;
    publisher = message.kind === "meshsync" ? await startMeshsync() : await startRecipe();
    send({ reply: "listening", url: publisher.url });
  } else if (message.command === "churn") {
    churn(message.perSecond, message.seconds);
  } else if (message.command === "stats") {
    send({ reply: "stats", changesPerGroup, uncaught, firstUncaught });
  } else {
    process.exit(0);
  }
});
