import type { Logger } from "pino";
import { Registry } from "prom-client";
import { createLogger, resolveServeOptions, type ServeFlags, type ServeOptions } from "../config/index.js";
import { filterSink, ResourceGraph } from "../graph/index.js";
import {
  Backoff,
  type ConnectOptions,
  connectClusters,
  Engine,
  locateKubeConfig,
  registerSyncMetrics,
} from "../kube/index.js";
import { realSleep } from "../kube/sleep.js";
import { startServer } from "../server/index.js";
import { type RunningSimulator, startSimulator } from "../sim/index.js";
import { untilSignal } from "./signals.js";

interface ClusterSource {
  connect: ConnectOptions;
  /** Set when meshsync runs its own simulator because there is no cluster to sync. */
  sim?: RunningSimulator;
  notice?: string;
}

async function chooseClusterSource(options: ServeOptions): Promise<ClusterSource> {
  const selection = { contexts: options.contexts, allContexts: options.allContexts };
  const location = options.sim ? undefined : locateKubeConfig({ kubeconfigPath: options.kubeconfig });
  if (location !== undefined && location.kind !== "none") {
    return {
      connect: {
        ...selection,
        kubeconfigPath: options.kubeconfig,
        inCluster: location.kind === "in-cluster",
      },
    };
  }
  const sim = await startSimulator({ scenario: "demo", seed: 1 });
  const why = options.sim ? "--sim given" : "no kubeconfig found and not running in a pod";
  return {
    connect: { kubeconfigYaml: sim.kubeconfig() },
    sim,
    notice: `${why}: syncing the embedded Kubernetes simulator (demo cluster) at ${sim.url}`,
  };
}

/**
 * Connects until it succeeds: an API server that is down at start-up is the same fault as one that
 * goes down later, and meshsync keeps serving (with /readyz saying why) while it waits.
 */
async function connectWithRetry(
  connect: ConnectOptions,
  engine: Engine,
  graph: ResourceGraph,
  logger: Logger,
  status: { reason: string },
  signal: AbortSignal,
): Promise<void> {
  const backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000 });
  while (!signal.aborted) {
    try {
      const connections = await connectClusters(connect, signal);
      for (const connection of connections) {
        graph.addCluster(connection.ref);
        engine.addCluster(connection);
        logger.info({ cluster: connection.ref }, "syncing cluster");
      }
      status.reason = "";
      return;
    } catch (error) {
      status.reason = `cannot connect: ${error instanceof Error ? error.message : String(error)}`;
      const delay = backoff.next();
      logger.error({ err: error, retryInMs: Math.round(delay) }, "cannot connect to the cluster; retrying");
      await realSleep(delay, signal);
    }
  }
}

/** `meshsync serve`: sync the clusters into the graph and serve it until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const options = resolveServeOptions(flags);
  const logger = createLogger(options.logLevel);
  const source = await chooseClusterSource(options);
  const graph = new ResourceGraph({
    retainedChanges: options.retainedChanges,
    revealSecrets: options.revealSecrets,
    onRejected: (error, cluster, type) =>
      logger.warn({ cluster: cluster.id, type: type.resource, err: error.message }, "object skipped"),
  });
  const sink = filterSink(graph, {
    namespaces: options.outputNamespaces,
    resources: options.outputResources,
  });
  const engine = new Engine([], {
    sink,
    logger,
    ...(options.selection ? { selection: options.selection } : {}),
    ...(options.stallTimeoutSeconds
      ? { tuning: { stallTimeoutMs: options.stallTimeoutSeconds * 1000 } }
      : {}),
  });
  engine.start();
  const registry = new Registry();
  registerSyncMetrics(registry, engine);
  const connection = { reason: "connecting to the cluster" };
  const server = await startServer({
    graph,
    host: options.host,
    port: options.port,
    token: options.token,
    allowUnauthenticated: options.insecure,
    allowedOrigins: options.allowedOrigins.length > 0 ? options.allowedOrigins : undefined,
    logger,
    readiness: () => {
      if (connection.reason !== "") return { ready: false, reason: connection.reason };
      if (!engine.isReady())
        return { ready: false, reason: "initial list of every watched type not finished" };
      return { ready: true };
    },
    apiResources: () =>
      engine.resourceTypes().map(({ cluster, type }) => ({ ...type, clusterId: cluster.id })),
    resync: (clusterId) => engine.resync(clusterId),
    syncStatus: () => engine.status(),
    registry,
  });
  process.stdout.write(`meshsync listening on ${server.url}\n`);
  if (source.notice) process.stdout.write(`${source.notice}\n`);

  const stopping = new AbortController();
  const connecting = connectWithRetry(source.connect, engine, graph, logger, connection, stopping.signal);
  const signal = await untilSignal();
  logger.info({ signal }, "shutting down");
  stopping.abort();
  await connecting;
  await server.close();
  await engine.stop();
  await source.sim?.close();
}
