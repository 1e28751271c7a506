// The connection replication runs on: the NATS output's link (dialled with backoff until a server
// answers, reconnecting forever), with the JetStream client and manager of whichever connection is live.
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../kube/index.js";
import { NatsLink } from "../nats/connection.js";

export interface ReplicationLinkOptions {
  /** NATS server URLs (nats://host:port or host:port). */
  servers: readonly string[];
  /** The client name the server shows. */
  name?: string;
  /** Reconnect backoff: the first wait and the ceiling, in milliseconds (250 and 10 000 by default). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long a JetStream API request or publish acknowledgement is waited for (5 000 ms by default). */
  requestTimeoutMs?: number;
  logger: Logger;
}

/** The JetStream handles of one live connection. */
export interface JetStreamClients {
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

export class ReplicationLink {
  private readonly link: NatsLink;
  private readonly logger: Logger;
  private current: JetStreamClients | undefined;
  private readonly upListeners = new Set<() => void>();
  private waiters: ((clients: JetStreamClients | undefined) => void)[] = [];
  private closed = false;
  readonly requestTimeoutMs: number;

  constructor(options: ReplicationLinkOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.logger = options.logger;
    this.link = new NatsLink({
      servers: options.servers,
      name: options.name ?? "meshsync-replication",
      reconnectMinMs: options.reconnectMinMs ?? 250,
      reconnectMaxMs: options.reconnectMaxMs ?? 10_000,
      logger: options.logger,
      onUp: () => {
        this.wentUp().catch((error: unknown) =>
          this.logger.error(
            { error: (error as Error).message },
            "could not open JetStream on the NATS connection",
          ),
        );
      },
      onDown: () => {},
    });
  }

  start(): void {
    this.link.start();
  }

  get isUp(): boolean {
    return this.link.isUp && this.current?.connection === this.link.connection;
  }

  /** The handles of the live connection; undefined while there is none. */
  get clients(): JetStreamClients | undefined {
    return this.isUp ? this.current : undefined;
  }

  /** The handles once a connection is live; undefined once the link is closed. */
  whenUp(): Promise<JetStreamClients | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const clients = this.clients;
    if (clients !== undefined) return Promise.resolve(clients);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Told each time a connection is up (the first, and each one back after a loss). */
  onUp(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => {
      this.upListeners.delete(listener);
    };
  }

  /** The server's largest accepted message, once known. */
  get maxPayload(): number | undefined {
    return this.link.maxPayload;
  }

  private async wentUp(): Promise<void> {
    const connection = this.link.connection;
    if (connection === undefined) return;
    if (this.current?.connection !== connection) {
      const options = { timeout: this.requestTimeoutMs, checkAPI: false };
      const jsm = await jetstreamManager(connection, options);
      if (this.link.connection !== connection) return;
      this.current = { connection, js: jetstream(connection, options), jsm };
    }
    const clients = this.current;
    for (const resolve of this.waiters.splice(0)) resolve(clients);
    for (const listener of this.upListeners) listener();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
    this.upListeners.clear();
    await this.link.close();
  }
}
