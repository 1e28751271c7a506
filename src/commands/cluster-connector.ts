import type { Logger } from "pino";
import type { ResourceGraph } from "../graph/index.js";
import {
  Backoff,
  type ClusterConnection,
  type ClusterHealth,
  type ConnectOptions,
  chooseContexts,
  connectCluster,
  type Engine,
  loadKubeConfig,
  realSleep,
} from "../kube/index.js";

type ContextState =
  | { phase: "connecting"; attempts: number; since: number; error?: string }
  | { phase: "admitting" | "connected" | "duplicate" };

/**
 * Held between reaching a cluster and handing it to the engine: a replicating watcher reads its
 * stream and waits for the Lease here. False (or a throw, which is not retried) leaves the cluster unwatched.
 */
export type AdmitCluster = (connection: ClusterConnection, signal: AbortSignal) => Promise<boolean>;

/**
 * Connects every chosen context on its own and hands each cluster to the engine as it comes up, so a
 * stale context (common under --all-contexts) delays nobody. A context that is unreachable keeps
 * being retried with backoff, as an API server that goes down later would be. Two contexts that reach
 * one cluster (say, one per namespace) sync it once. Config errors (no kubeconfig, an unknown context)
 * throw at once: retrying would not fix them.
 */
export class ClusterConnector {
  private readonly contexts = new Map<string, ContextState>();
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly connect: ConnectOptions,
    private readonly engine: Engine,
    private readonly graph: ResourceGraph,
    private readonly logger: Logger,
    private readonly admit?: AdmitCluster,
  ) {}

  start(): void {
    const base = loadKubeConfig(this.connect);
    for (const context of chooseContexts(base, this.connect)) {
      this.contexts.set(context, { phase: "connecting", attempts: 0, since: Date.now() });
      this.running.push(this.connectWithRetry(base, context));
    }
  }

  /**
   * Why meshsync is not ready yet, or undefined when it is: every context has either come up and
   * synced, or failed at least once (so an unreachable one cannot hold the rest back), and at least
   * one cluster has synced.
   */
  notReadyReason(): string | undefined {
    const states = [...this.contexts.entries()];
    const waiting = states.filter(([, s]) => s.phase === "connecting" && s.attempts === 0);
    if (waiting.length > 0) return `connecting to ${waiting.map(([name]) => name).join(", ")}`;
    if (!states.some(([, s]) => s.phase === "connected")) {
      return states
        .map(
          ([name, s]) =>
            `${name}: ${s.phase === "connecting" ? s.error : s.phase === "admitting" ? "not leading" : s.phase}`,
        )
        .join("; ");
    }
    if (!this.engine.isReady()) return "initial list of every watched type not finished";
    return undefined;
  }

  /**
   * Every synced cluster's health, and each context that has not reached a cluster yet (by name,
   * unreachable since it was first tried). A context that reaches a cluster already synced is left out.
   */
  health(): ClusterHealth[] {
    const waiting: ClusterHealth[] = [];
    for (const [name, state] of this.contexts) {
      if (state.phase !== "connecting") continue;
      waiting.push({
        id: undefined,
        name,
        reachable: false,
        since: new Date(state.since).toISOString(),
        lastError: state.error,
        lastContact: undefined,
        synced: false,
      });
    }
    return [...this.engine.health(), ...waiting];
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running);
  }

  private async admitted(
    context: string,
    connection: ClusterConnection,
    signal: AbortSignal,
  ): Promise<boolean> {
    this.contexts.set(context, { phase: "admitting" });
    try {
      return (await this.admit?.(connection, signal)) === true && !signal.aborted;
    } catch (error) {
      // The admission said why, to whoever awaits it; connecting again would not change its answer.
      this.logger.debug({ context, err: (error as Error).message }, "cluster not admitted");
      return false;
    }
  }

  private async connectWithRetry(base: ReturnType<typeof loadKubeConfig>, context: string): Promise<void> {
    const backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000 });
    const signal = this.stopping.signal;
    let attempts = 0;
    while (!signal.aborted) {
      try {
        const connection = await connectCluster(base, context, {}, signal);
        if (this.engine.cluster(connection.ref.id) !== undefined) {
          this.contexts.set(context, { phase: "duplicate" });
          this.logger.warn(
            { context, cluster: connection.ref.id },
            "context reaches a cluster already synced; skipped",
          );
          return;
        }
        if (this.admit !== undefined && !(await this.admitted(context, connection, signal))) return;
        this.graph.addCluster(connection.ref);
        this.engine.addCluster(connection);
        this.contexts.set(context, { phase: "connected" });
        this.logger.info({ cluster: connection.ref }, "syncing cluster");
        return;
      } catch (error) {
        if (signal.aborted) return;
        attempts += 1;
        const reason = error instanceof Error ? error.message : String(error);
        const previous = this.contexts.get(context);
        const since = previous?.phase === "connecting" ? previous.since : Date.now();
        this.contexts.set(context, { phase: "connecting", attempts, since, error: reason });
        const delay = backoff.next();
        // Said once, and again only when the reason changes: a context that stays down is one event.
        const said = previous?.phase === "connecting" && previous.error === reason;
        this.logger[said ? "debug" : "error"](
          { context, err: reason, retryInMs: Math.round(delay) },
          "cannot connect; retrying",
        );
        await realSleep(delay, signal);
      }
    }
  }
}
