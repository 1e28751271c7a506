import type { Logger } from "pino";
import { Registry } from "prom-client";
import { singleReplica } from "../api/index.js";
import {
  type ReplicationOptions,
  resolveServeOptions,
  type ServeFlags,
  type ServeOptions,
} from "../config/index.js";
import type { ResourceGraph } from "../graph/index.js";
import { registerSyncMetrics } from "../kube/index.js";
import { startServer } from "../server/index.js";
import { packageVersion } from "../version.js";
import { openConsole } from "./console.js";
import type { RunningSimulator } from "./load-simulator.js";
import { startOutputs } from "./outputs.js";
import { podLogsProvider } from "./pod-access.js";
import { ProgressReporter } from "./progress/index.js";
import { fatalEnd, untilWorkOrSignal } from "./replica/fatal-exit.js";
import { Gateway, registerReplicaMetrics } from "./replica/index.js";
import { untilSignalOr } from "./signals.js";
import { shellWord, type WrittenKubeconfig, writeSimulatorKubeconfig } from "./sim-kubeconfig.js";
import { createGraph, startSyncSession } from "./sync-session.js";

/** `meshsync serve`: sync the clusters into the graph and serve it until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const options = resolveServeOptions(flags);
  if (options.replication?.role === "gateway") return runGateway(options, options.replication);
  const { logger, statusLine } = openConsole(options);
  const end = fatalEnd(logger);
  const session = await startSyncSession(options, logger, end);
  const { source, graph, engine, connector, began, replica } = session;
  // Before anything can listen to the graph's log: reading the stream gives the log the stream's cursors.
  if (replica !== undefined) {
    if ((await untilWorkOrSignal(replica.bootstrapped, end)) !== undefined) {
      await session.stop();
      return;
    }
  }
  const registry = new Registry();
  registerSyncMetrics(registry, engine);
  const replicaStatus = () => replica?.status() ?? singleReplica;
  registerReplicaMetrics(registry, replicaStatus, () => ({
    published: replica?.publishedChanges ?? 0,
    applied: replica?.appliedChanges ?? 0,
  }));
  // Once ready, stay ready: a CRD that fails to list later is the type's trouble, and a cluster that
  // stops answering is the cluster's; both are shown (syncStatus, Query.clusters, the /readyz body,
  // metrics), but neither is a reason to take the endpoint that serves the last known graph out of its
  // Service. README, "Health and readiness", says why. A standby is another matter: its graph is only
  // as good as its place in the stream, so its readiness is that, every time; and once it leads, the
  // graph it served stays served while the engine lists the cluster afresh.
  let ready = false;
  const server = await startServer({
    ...serverSettings(options, graph, logger, registry),
    replica: replicaStatus,
    readiness: () => {
      const status = replica?.status();
      if (replica?.following) {
        const reason = replica.notReadyReason();
        ready = reason === undefined;
        const clusters = replica.health();
        return reason === undefined
          ? { ready, clusters, replica: status! }
          : { ready, reason, clusters, replica: status! };
      }
      const clusters = connector.health();
      if (!ready) {
        const reason = connector.notReadyReason();
        ready = reason === undefined;
        if (reason !== undefined)
          return {
            ready,
            reason,
            clusters,
            progress: engine.progress(),
            ...(status ? { replica: status } : {}),
          };
      }
      return { ready, clusters, ...(status ? { replica: status } : {}) };
    },
    clusterHealth: () => (replica?.following ? replica.health() : engine.health()),
    apiResources: () =>
      engine.resourceTypes().map(({ cluster, type }) => ({ ...type, clusterId: cluster.id })),
    resync: (clusterId) => engine.resync(clusterId),
    syncStatus: () => engine.status(),
    podLogs: podLogsProvider(graph, engine),
  });
  process.stdout.write(`meshsync listening on ${server.url}\n`);
  if (source.notice) process.stdout.write(`${source.notice}\n`);
  const simKubeconfig = source.sim ? announceSimulatorKubeconfig(source.sim, server.url, logger) : undefined;
  // Started after the lines above, so that a line drawn in place on the terminal never shares a row
  // with them.
  const progress = new ProgressReporter({
    progress: () => engine.progress(),
    finished: () => connector.notReadyReason() === undefined,
    logger,
    statusLine,
    since: began,
  }).start();

  const outputs = await startOutputs(options, session, logger, registry);

  const reason = await untilSignalOr(options.stopAfterMs);
  progress.stop();
  logger.info(
    reason === "stopAfter" ? { stopAfterMs: options.stopAfterMs } : { signal: reason },
    "shutting down",
  );
  simKubeconfig?.remove();
  // Outputs first: file mode writes what the graph holds before the clusters are let go.
  await outputs.stop();
  await connector.stop();
  await server.close();
  await session.stop();
}

/** `meshsync serve --from-nats`: no cluster, no engine; the graph comes from the clusters' streams. */
async function runGateway(
  options: ServeOptions,
  replication: Extract<ReplicationOptions, { role: "gateway" }>,
): Promise<void> {
  const { logger } = openConsole(options);
  const end = fatalEnd(logger);
  const graph = createGraph(options, logger);
  const gateway = new Gateway({
    servers: replication.servers,
    maxLagMs: replication.maxLagMs,
    graph,
    logger,
    onFatal: end,
  });
  const starting = new AbortController();
  if ((await untilWorkOrSignal(gateway.start(starting.signal), end)) !== undefined) {
    starting.abort();
    await gateway.stop();
    return;
  }
  const registry = new Registry();
  registerReplicaMetrics(
    registry,
    () => gateway.status(),
    () => ({ published: 0, applied: gateway.appliedChanges }),
  );
  const server = await startServer({
    ...serverSettings(options, graph, logger, registry),
    replica: () => gateway.status(),
    readiness: () => {
      const reason = gateway.notReadyReason();
      const clusters = gateway.health();
      const replica = gateway.status();
      return reason === undefined
        ? { ready: true, clusters, replica }
        : { ready: false, reason, clusters, replica };
    },
    clusterHealth: () => gateway.health(),
  });
  process.stdout.write(`meshsync listening on ${server.url}\n`);
  const reason = await untilSignalOr(options.stopAfterMs);
  logger.info({ signal: reason }, "shutting down");
  await server.close();
  await gateway.stop();
}

/** What every serve mode's server takes from the settings alike. */
function serverSettings(options: ServeOptions, graph: ResourceGraph, logger: Logger, registry: Registry) {
  return {
    graph,
    host: options.host,
    port: options.port,
    token: options.token,
    allowUnauthenticated: options.insecure,
    allowedOrigins: options.allowedOrigins.length > 0 ? options.allowedOrigins : undefined,
    allowedHosts: options.allowedHosts,
    logger,
    version: packageVersion(),
    registry,
  };
}

/** Writes the embedded simulator's kubeconfig and prints the kubectl line that uses it. */
function announceSimulatorKubeconfig(
  sim: RunningSimulator,
  serverUrl: string,
  logger: Logger,
): WrittenKubeconfig | undefined {
  try {
    const written = writeSimulatorKubeconfig(sim.kubeconfig(), new URL(serverUrl).port || "80");
    process.stdout.write(
      `point kubectl at it: kubectl --kubeconfig ${shellWord(written.path)} get pods -A\n`,
    );
    return written;
  } catch (error) {
    // The demo runs without it; kubectl is a convenience here, not what serve is for.
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "simulator kubeconfig not written",
    );
    return undefined;
  }
}
