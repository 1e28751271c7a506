// What `serve` and `snapshot` both run: the graph, the engine that feeds it and the connector that
// hands it clusters, started together and stopped in the reverse order.
import type { Logger } from "pino";
import type { ServeOptions } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import { filterSink, ResourceGraph } from "../graph/index.js";
import {
  type ConnectOptions,
  Engine,
  loadKubeConfig,
  locateKubeConfig,
  type ResourceType,
} from "../kube/index.js";
import { ClusterConnector } from "./cluster-connector.js";
import { loadSimulator, type RunningSimulator } from "./load-simulator.js";
import { WatcherReplica } from "./replica/index.js";

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

export interface SyncSession {
  readonly source: ClusterSource;
  readonly graph: ResourceGraph;
  readonly engine: Engine;
  readonly connector: ClusterConnector;
  /** Set with --to-nats: the part that reads and writes the cluster's stream, and elects. */
  readonly replica: WatcherReplica | undefined;
  /** When the sync began, in epoch milliseconds. */
  readonly began: number;
  /** Resolves once every context has come up or failed once and every watched type has listed. */
  firstSync(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** How often firstSync looks again: the connector has no event for it, and a tenth of a second is unseen. */
const firstSyncPollMs = 100;

/**
 * The graph every command fills, from the settings. `resourceTypes` names the kinds filters know; without
 * it the graph learns them from what it is given, which is what a graph fed from a stream needs.
 */
export function createGraph(
  options: ServeOptions,
  logger: Logger,
  resourceTypes?: () => readonly ResourceType[],
): ResourceGraph {
  return new ResourceGraph({
    retainedChanges: options.retainedChanges,
    retainedChangeBytes: options.retainedChangeBytes,
    revealSecrets: options.revealSecrets,
    relationRules: options.relationRules,
    onRejected: (error, cluster, type) =>
      logger.warn({ cluster: cluster.id, type: type.resource, err: error.message }, "object skipped"),
    ...(resourceTypes === undefined ? {} : { resourceTypes }),
  });
}

export async function startSyncSession(
  options: ServeOptions,
  logger: Logger,
  onFatal: (reason: string) => void = () => {},
): Promise<SyncSession> {
  const source = await chooseClusterSource(options);
  const replication = options.replication?.role === "watcher" ? options.replication : undefined;
  // Filters name kinds by what the clusters serve now, so a CRD's kind is known once it is watched; a
  // standby watches nothing, so a replicating watcher's graph learns its kinds from what it is fed.
  const graph = createGraph(
    options,
    logger,
    replication === undefined ? () => engine.resourceTypes().map(({ type }) => type) : undefined,
  );
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
  const replica =
    replication === undefined
      ? undefined
      : new WatcherReplica({
          replication,
          graph,
          engine,
          logger,
          contextNamespace: (context) => loadKubeConfig(source.connect).getContextObject(context)?.namespace,
          onFatal,
        });
  const connector = new ClusterConnector(source.connect, engine, graph, logger, replica?.admit);
  // Checked before anything listens: a missing kubeconfig or an unknown context is a config error.
  try {
    connector.start();
  } catch (error) {
    await engine.stop();
    await source.sim?.close();
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  return {
    source,
    graph,
    engine,
    connector,
    replica,
    began,
    async firstSync(signal) {
      while (connector.notReadyReason() !== undefined) {
        if (signal?.aborted) throw signal.reason;
        await new Promise((resolve) => setTimeout(resolve, firstSyncPollMs));
      }
    },
    async stop() {
      await connector.stop();
      await replica?.stop();
      await engine.stop();
      await source.sim?.close();
    },
  };
}
