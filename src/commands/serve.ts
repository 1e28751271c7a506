import type { Logger } from "pino";
import { Registry } from "prom-client";
import { ConfigError, resolveServeOptions, type ServeFlags, type ServeOptions } from "../config/index.js";
import { filterSink, ResourceGraph } from "../graph/index.js";
import { type ConnectOptions, Engine, locateKubeConfig, registerSyncMetrics } from "../kube/index.js";
import { startServer } from "../server/index.js";
import { ClusterConnector } from "./cluster-connector.js";
import { openConsole } from "./console.js";
import { loadSimulator, type RunningSimulator } from "./load-simulator.js";
import { ProgressReporter } from "./progress/index.js";
import { untilSignal } from "./signals.js";
import { shellWord, type WrittenKubeconfig, writeSimulatorKubeconfig } from "./sim-kubeconfig.js";

export interface ClusterSource {
  connect: ConnectOptions;
  /** Set when meshsync runs its own simulator because there is no cluster to sync. */
  sim?: RunningSimulator;
  notice?: string;
}

/** A real cluster when a kubeconfig or a pod says so; otherwise the embedded simulator, loaded only then. */
export async function chooseClusterSource(
  options: Pick<ServeOptions, "contexts" | "allContexts" | "sim" | "kubeconfig" | "simChurn">,
): Promise<ClusterSource> {
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
  const { startSimulator } = await loadSimulator();
  // A gentle churn, so that a subscription shows life; --sim-churn 0 keeps the demo still.
  const sim = await startSimulator({ scenario: "demo", seed: 1, churn: options.simChurn });
  const why = options.sim ? "--sim given" : "no kubeconfig found and not running in a pod";
  const churn = options.simChurn > 0 ? `, ${options.simChurn} changes a second` : "";
  return {
    connect: { kubeconfigYaml: sim.kubeconfig() },
    sim,
    notice: `${why}: syncing the embedded Kubernetes simulator (demo cluster${churn}) at ${sim.url}`,
  };
}

/** `meshsync serve`: sync the clusters into the graph and serve it until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const options = resolveServeOptions(flags);
  const { logger, statusLine } = openConsole(options);
  const source = await chooseClusterSource(options);
  const graph = new ResourceGraph({
    retainedChanges: options.retainedChanges,
    retainedChangeBytes: options.retainedChangeBytes,
    revealSecrets: options.revealSecrets,
    relationRules: options.relationRules,
    onRejected: (error, cluster, type) =>
      logger.warn({ cluster: cluster.id, type: type.resource, err: error.message }, "object skipped"),
    // Filters name kinds by what the clusters serve now, so a CRD's kind is known once it is watched.
    resourceTypes: () => engine.resourceTypes().map(({ type }) => type),
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
  const began = Date.now();
  engine.start();
  const registry = new Registry();
  registerSyncMetrics(registry, engine);
  const connector = new ClusterConnector(source.connect, engine, graph, logger);
  // Checked before the server listens: a missing kubeconfig or an unknown context is a config error.
  try {
    connector.start();
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
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

  const signal = await untilSignal();
  progress.stop();
  logger.info({ signal }, "shutting down");
  simKubeconfig?.remove();
  await connector.stop();
  await server.close();
  await engine.stop();
  await source.sim?.close();
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
