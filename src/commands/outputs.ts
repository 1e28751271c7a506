// MeshSync's outputs beside the GraphQL server: broker mode publishes to NATS for Meshery Server and
// answers MeshSync's health probes on their own port; file mode writes a YAML snapshot of what was
// synced when the run ends (a signal or --stopAfter), as MeshSync's file mode does.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ServeOptions } from "../config/index.js";
import { isInPod } from "../kube/index.js";
import {
  type NatsOutput,
  registerNatsMetrics,
  SnapshotAccumulator,
  startNatsOutput,
} from "../outputs/index.js";
import { type HealthServer, startHealthServer } from "../server/index.js";
import { packageVersion } from "../version.js";
import { podExecOpener, podLogSource } from "./pod-access.js";
import type { SyncSession } from "./sync-session.js";

export interface RunningOutputs {
  /** Ends the outputs in order: file mode writes its snapshot here. */
  stop(): Promise<void>;
}

export async function startOutputs(
  options: ServeOptions,
  session: SyncSession,
  logger: Logger,
  registry: Registry,
): Promise<RunningOutputs> {
  if (options.output === "broker") return startBroker(options, session, logger, registry);
  if (options.output === "file") return startFile(options, session, logger);
  return { stop: async () => {} };
}

async function startBroker(
  options: ServeOptions,
  session: SyncSession,
  logger: Logger,
  registry: Registry,
): Promise<RunningOutputs> {
  const { graph, engine, connector } = session;
  const firstSyncDone = () => connector.notReadyReason() === undefined;
  // Stopped with the output, so that a first sync that never finishes leaves no timer behind; a
  // request still waiting for it then simply waits on with the process.
  const stopping = new AbortController();
  const whenFirstSyncDone = new Promise<void>((resolve) => {
    session.firstSync(stopping.signal).then(resolve, () => {});
  });
  const nats: NatsOutput = startNatsOutput({
    servers: options.brokerUrls,
    graph,
    firstSyncDone,
    whenFirstSyncDone,
    resync: () => {
      for (const cluster of engine.clusters()) engine.resync(cluster.id);
    },
    version: packageVersion(),
    contentDedup: options.brokerContentDedup,
    podLogs: podLogSource(graph, engine),
    podExec: podExecOpener(graph, engine),
    logger,
  });
  registerNatsMetrics(registry, nats);
  // Meshery's probes reach a pod on its own address; outside a pod the health port stays where the
  // GraphQL server listens.
  const host = isInPod() ? "0.0.0.0" : options.host;
  let health: HealthServer | undefined;
  try {
    health = await startHealthServer({ host, port: options.healthPort, ready: firstSyncDone });
    logger.info({ host, port: health.port }, "health endpoints /healthz and /readyz listening");
  } catch (error) {
    // As MeshSync: health reporting must never take the process down (the port may be taken).
    logger.warn({ port: options.healthPort, err: (error as Error).message }, "health endpoints not served");
  }
  return {
    async stop() {
      stopping.abort();
      await health?.close();
      await nats.close();
    },
  };
}

async function startFile(
  options: ServeOptions,
  session: SyncSession,
  logger: Logger,
): Promise<RunningOutputs> {
  const snapshot = new SnapshotAccumulator(session.graph);
  return {
    async stop() {
      const written = await snapshot.write(options.outputFile);
      logger.info({ file: written.path, objects: written.objects }, "snapshot written");
      snapshot.close();
    },
  };
}
