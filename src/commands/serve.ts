import type { Logger } from "pino";
import { Registry } from "prom-client";
import { resolveServeOptions, type ServeFlags } from "../config/index.js";
import { registerSyncMetrics } from "../kube/index.js";
import { startServer } from "../server/index.js";
import { packageVersion } from "../version.js";
import { openConsole } from "./console.js";
import type { RunningSimulator } from "./load-simulator.js";
import { startOutputs } from "./outputs.js";
import { podLogsProvider } from "./pod-access.js";
import { ProgressReporter } from "./progress/index.js";
import { untilSignalOr } from "./signals.js";
import { shellWord, type WrittenKubeconfig, writeSimulatorKubeconfig } from "./sim-kubeconfig.js";
import { startSyncSession } from "./sync-session.js";

/** `meshsync serve`: sync the clusters into the graph and serve it until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const options = resolveServeOptions(flags);
  const { logger, statusLine } = openConsole(options);
  const session = await startSyncSession(options, logger);
  const { source, graph, engine, connector, began } = session;
  const registry = new Registry();
  registerSyncMetrics(registry, engine);
  // Once ready, stay ready: a CRD that fails to list later is the type's trouble, and a cluster that
  // stops answering is the cluster's; both are shown (syncStatus, Query.clusters, the /readyz body,
  // metrics), but neither is a reason to take the endpoint that serves the last known graph out of its
  // Service. README, "Health and readiness", says why.
  let ready = false;
  const server = await startServer({
    graph,
    host: options.host,
    port: options.port,
    token: options.token,
    allowUnauthenticated: options.insecure,
    allowedOrigins: options.allowedOrigins.length > 0 ? options.allowedOrigins : undefined,
    allowedHosts: options.allowedHosts,
    logger,
    readiness: () => {
      const clusters = connector.health();
      if (!ready) {
        const reason = connector.notReadyReason();
        ready = reason === undefined;
        if (reason !== undefined) return { ready, reason, clusters, progress: engine.progress() };
      }
      return { ready, clusters };
    },
    clusterHealth: () => engine.health(),
    apiResources: () =>
      engine.resourceTypes().map(({ cluster, type }) => ({ ...type, clusterId: cluster.id })),
    resync: (clusterId) => engine.resync(clusterId),
    syncStatus: () => engine.status(),
    podLogs: podLogsProvider(graph, engine),
    version: packageVersion(),
    registry,
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
