// Whether a cluster answers, and whether what answers is still that cluster. Every request of one
// cluster goes through `requester`, which notes each answer (a watch line included) and each request
// that got none. The first unanswered one closes the gate: reflectors and discovery wait at
// `available()` instead of retrying on their own, while one probe asks the server who it is (the uid
// of kube-system, as the cluster was named when it connected). If it is the same cluster the gate
// opens again; if it is another (the API server was replaced by a different one at the same
// address), the owner is told, and the gate stays shut for good: nothing the new server says may
// reach the graph under the old cluster's name. A resourceVersion that went backwards closes the
// gate the same way (`verify()`).
//
// The cluster is declared unreachable, in one log line, only when the probe gets no answer either,
// so a lone reset socket costs one request and no noise; one line says when it is back.
import { Backoff } from "./backoff.js";
import { clusterIdOf, currentResourceVersionOf } from "./connect.js";
import { errorText, isRecord, isTransportFailure, KubeApiError } from "./errors.js";
import type { KubeRequester, LineStream, Query } from "./http-client.js";
import type { Logger } from "./logger.js";
import { realSleep, type Sleep } from "./sleep.js";

/** What the reflectors of one cluster wait on. */
export interface ClusterGate {
  /** Resolves at once while the cluster answers as itself; otherwise once it does again. Rejects on abort. */
  available(signal: AbortSignal): Promise<void>;
  /** The resourceVersion went backwards: resolves once the cluster has been found to be the same one. */
  verify(reason: string, signal: AbortSignal): Promise<void>;
}

export interface ContactState {
  reachable: boolean;
  /** When `reachable` took its current value (ISO 8601). */
  since: string;
  /** Why it is unreachable, or why its identity could not be checked; cleared when it answers as itself. */
  lastError: string | undefined;
  /** When the API server last answered anything, a watch line included (ISO 8601). */
  lastContact: string | undefined;
  /** gitVersion of GET /version, read at connect and each time the cluster answers again. */
  serverVersion: string | undefined;
}

export interface ClusterContactOptions {
  client: KubeRequester;
  clusterId: string;
  /** For log lines: the context the cluster was reached through. */
  clusterName: string;
  logger: Logger;
  /** Told once, when the server turns out to be another cluster; the contact is done after that. */
  onIdentityChange: (nextId: string) => void;
  /** Told, with the cluster's current resourceVersion when it could be read, each time the gate reopens. */
  onVerified?: (currentResourceVersion: string | undefined) => void;
  backoff?: Backoff;
  sleep?: Sleep;
  now?: () => number;
}

type Phase = "verified" | "verifying" | "replaced" | "stopped";

export class ClusterContact implements ClusterGate {
  /** The cluster's requests, observed: answers and failures shape the state and the gate. */
  readonly requester: KubeRequester;

  private readonly options: ClusterContactOptions;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly stopController = new AbortController();
  private phase: Phase = "verified";
  private gate = openGate();
  private probing: Promise<void> | undefined;
  private reachable = true;
  private since: number;
  /** When the failure that started the current probe happened: an outage dates from there. */
  private failingSince: number | undefined;
  private lastError: string | undefined;
  private lastContact: number | undefined;
  /** Whether the probe has said, once, that it cannot check the identity of a server that answers. */
  private toldUnverifiable = false;
  private serverVersion: string | undefined;

  constructor(options: ClusterContactOptions) {
    this.options = options;
    this.logger = options.logger;
    // One cheap request per cluster: it can ask often, so a cluster that is back is seen soon.
    this.backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 10_000 });
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.since = this.now();
    this.requester = this.observe(options.client);
  }

  state(): ContactState {
    return {
      reachable: this.reachable,
      since: new Date(this.since).toISOString(),
      lastError: this.lastError,
      lastContact: this.lastContact === undefined ? undefined : new Date(this.lastContact).toISOString(),
      serverVersion: this.serverVersion,
    };
  }

  /**
   * Reads the API server's version (GET /version, as `kubectl version` does). An API server that was
   * upgraded while it was away shows its new version once it answers again; a failed read keeps the
   * last one known. It asks past the gate: the version only informs, and its failure is no outage.
   */
  async readServerVersion(signal: AbortSignal): Promise<void> {
    try {
      const info = await this.options.client.getJson("/version", {}, signal);
      const gitVersion = isRecord(info) ? info.gitVersion : undefined;
      if (typeof gitVersion === "string" && gitVersion !== "") this.serverVersion = gitVersion;
    } catch (error) {
      if (!signal.aborted)
        this.logger.debug(this.logContext({ error: errorText(error) }), "cannot read the server's version");
    }
  }

  available(signal: AbortSignal): Promise<void> {
    if (this.phase === "verified") return Promise.resolve();
    return untilAborted(this.gate.promise, signal);
  }

  verify(reason: string, signal: AbortSignal): Promise<void> {
    if (this.phase === "verified") {
      this.logger.info(this.logContext({ reason }), "checking the cluster's identity");
      this.closeGate();
    }
    return this.available(signal);
  }

  /** Reads the cluster's identity once without closing the gate, e.g. on each discovery refresh. */
  async checkIdentity(signal: AbortSignal): Promise<void> {
    if (this.phase !== "verified") return;
    let id: string;
    try {
      id = await clusterIdOf(this.requester, signal);
    } catch {
      return; // a failure without an answer has already closed the gate through the requester
    }
    if (id !== this.options.clusterId && this.phase === "verified") this.replaced(id);
  }

  async stop(): Promise<void> {
    this.phase = "stopped";
    this.stopController.abort();
    await this.probing;
  }

  private observe(client: KubeRequester): KubeRequester {
    return {
      server: client.server,
      getJson: async (path: string, query?: Query, signal?: AbortSignal) => {
        try {
          const body = await client.getJson(path, query, signal);
          this.answered();
          return body;
        } catch (error) {
          this.failed(error, signal);
          throw error;
        }
      },
      getText: async (
        path: string,
        query?: Query,
        signal?: AbortSignal,
        onHead?: (head: string) => boolean,
      ) => {
        try {
          const body = await client.getText(path, query, signal, onHead);
          this.answered();
          return body;
        } catch (error) {
          this.failed(error, signal);
          throw error;
        }
      },
      openLines: async (path: string, query?: Query, signal?: AbortSignal) => {
        let lines: LineStream;
        try {
          lines = await client.openLines(path, query, signal);
        } catch (error) {
          this.failed(error, signal);
          throw error;
        }
        this.answered();
        return this.observeLines(lines, signal);
      },
      // Pod logs and exec are the user's requests, not the sync's: they do not move the gate.
      openBytes: (path: string, query?: Query, signal?: AbortSignal) => client.openBytes(path, query, signal),
      connectionOptions: () => client.connectionOptions(),
      // Writes (the leader election's Lease) are not the sync's either.
      sendJson: (method, path, body, signal) => client.sendJson(method, path, body, signal),
    };
  }

  private observeLines(lines: LineStream, signal: AbortSignal | undefined): LineStream {
    let closed = false;
    const contact = this;
    return {
      close() {
        closed = true;
        lines.close();
      },
      async *[Symbol.asyncIterator]() {
        try {
          for await (const line of lines) {
            contact.lastContact = contact.now();
            yield line;
          }
        } catch (error) {
          // A stream cut under us, not one we closed, is how a server that went away looks.
          if (!closed) contact.failed(error, signal);
          throw error;
        }
      },
    };
  }

  private answered(): void {
    this.lastContact = this.now();
  }

  private failed(error: unknown, signal: AbortSignal | undefined): void {
    if (signal?.aborted) return;
    if (error instanceof KubeApiError) {
      this.answered(); // an error status is still an answer
      return;
    }
    if (!isTransportFailure(error)) return;
    if (this.phase === "verified") {
      this.failingSince = this.now();
      this.closeGate();
    }
    if (!this.reachable) this.lastError = errorText(error);
  }

  private closeGate(): void {
    this.phase = "verifying";
    this.gate = closedGate();
    this.probing = this.probe().catch((error: unknown) => {
      this.logger.error(this.logContext({ error: errorText(error) }), "cluster identity probe failed");
    });
  }

  /** Asks the server who it is until it answers, then opens the gate or hands over to the new cluster. */
  private async probe(): Promise<void> {
    const signal = this.stopController.signal;
    this.backoff.reset();
    while (this.phase === "verifying") {
      let id: string | undefined;
      try {
        id = await clusterIdOf(this.requester, signal);
      } catch (error) {
        if (this.phase !== "verifying") return;
        this.unverified(error);
        await this.sleep(this.backoff.next(), signal);
        continue;
      }
      if (this.phase !== "verifying") return;
      if (id !== this.options.clusterId) return this.replaced(id);
      const current = await currentResourceVersionOf(this.requester, signal);
      if (this.phase !== "verifying") return;
      this.reopen();
      void this.readServerVersion(signal);
      this.options.onVerified?.(current);
      return;
    }
  }

  private unverified(error: unknown): void {
    const text = errorText(error);
    if (!isTransportFailure(error)) {
      // It answers, but not to say who it is (a 5xx, an RBAC change): its watches wait until it does.
      this.lastError = `cannot check the cluster's identity: ${text}`;
      if (!this.toldUnverifiable) {
        this.toldUnverifiable = true;
        this.logger.warn(
          this.logContext({ error: text }),
          "cannot check the cluster's identity; its watches wait",
        );
      }
      return;
    }
    this.lastError = text;
    if (!this.reachable) return;
    this.reachable = false;
    this.since = this.failingSince ?? this.now();
    this.logger.warn(
      this.logContext({ error: text, since: new Date(this.since).toISOString() }),
      "cluster unreachable; serving its last known state until it answers again",
    );
  }

  private reopen(): void {
    this.phase = "verified";
    this.failingSince = undefined;
    this.toldUnverifiable = false;
    this.lastError = undefined;
    if (!this.reachable) {
      const unreachableForMs = this.now() - this.since;
      this.reachable = true;
      this.since = this.now();
      this.logger.info(this.logContext({ unreachableForMs }), "cluster reachable again");
    }
    this.gate.open();
  }

  private replaced(nextId: string): void {
    this.phase = "replaced";
    this.reachable = true;
    this.since = this.now();
    this.lastError = undefined;
    this.logger.warn(
      this.logContext({ nextClusterId: nextId }),
      "the API server answers as another cluster; dropping this cluster's objects and syncing the new one",
    );
    this.options.onIdentityChange(nextId);
  }

  private logContext(fields: Record<string, unknown>): Record<string, unknown> {
    return { cluster: this.options.clusterName, clusterId: this.options.clusterId, ...fields };
  }
}

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function openGate(): Gate {
  return { promise: Promise.resolve(), open() {} };
}

function closedGate(): Gate {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** The promise, or a rejection as soon as the signal aborts, without leaving a listener behind. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error("aborted"));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
