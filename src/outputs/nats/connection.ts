import { connect, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Backoff, type Logger } from "../../kube/index.js";

export interface NatsLinkOptions {
  servers: readonly string[];
  name: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  logger: Logger;
  /** The connection is up (first connect, or back after a loss). */
  onUp: () => void;
  /** The connection is lost; the link keeps trying. */
  onDown: () => void;
}

export type MessageHandler = (msg: Msg) => void;

/** A subscription that outlives connections: made again on every new connection. */
interface StandingSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly handler: MessageHandler;
  current: Subscription | undefined;
}

/**
 * One connection to NATS that never gives up. The first connect is retried with backoff until a server
 * answers (nats.js would otherwise fail at once, and its waitOnFirstConnect loop cannot be stopped);
 * after that nats.js reconnects forever (maxReconnectAttempts -1) with the same backoff, and when a
 * connection closes all the same a new one is dialled. Subscriptions made here are kept across all of it.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private up = false;
  private closing = false;
  private readonly standing = new Set<StandingSubscription>();
  private wake: (() => void) | undefined;
  private sleeper: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Times the connection came back after being lost. */
  reconnects = 0;

  constructor(private readonly options: NatsLinkOptions) {}

  start(): void {
    this.running ??= this.run();
  }

  /** The live connection, or undefined while there is none. */
  get connection(): NatsConnection | undefined {
    return this.up ? this.nc : undefined;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** The server's largest accepted message, once known. */
  get maxPayload(): number | undefined {
    return this.nc?.info?.max_payload;
  }

  subscribe(subject: string, queue: string | undefined, handler: MessageHandler): () => void {
    const entry: StandingSubscription = { subject, queue, handler, current: undefined };
    this.standing.add(entry);
    if (this.nc !== undefined && !this.nc.isClosed()) this.attach(this.nc, entry);
    return () => {
      this.standing.delete(entry);
      entry.current?.unsubscribe();
      entry.current = undefined;
    };
  }

  private attach(nc: NatsConnection, entry: StandingSubscription): void {
    try {
      entry.current = nc.subscribe(entry.subject, {
        ...(entry.queue !== undefined ? { queue: entry.queue } : {}),
        callback: (error, msg) => {
          if (error !== null) {
            this.options.logger.warn(
              { subject: entry.subject, error: error.message },
              "NATS subscription error",
            );
            return;
          }
          try {
            entry.handler(msg);
          } catch (failure) {
            this.options.logger.error(
              { subject: entry.subject, error: (failure as Error).message },
              "NATS message handler failed",
            );
          }
        },
      });
    } catch (error) {
      this.options.logger.warn(
        { subject: entry.subject, error: (error as Error).message },
        "NATS subscribe failed",
      );
    }
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (up) this.options.onUp();
    else this.options.onDown();
  }

  private async run(): Promise<void> {
    const { servers, name, reconnectMinMs, reconnectMaxMs, logger } = this.options;
    // The reflectors' backoff, one for dialling and one for nats.js's own reconnects.
    const backoff = () => new Backoff({ initialMs: reconnectMinMs, maxMs: reconnectMaxMs, jitter: 0.25 });
    const dial = backoff();
    const reconnect = backoff();
    let everConnected = false;
    while (!this.closing) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: [...servers],
          name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: reconnectMinMs,
          reconnectJitter: 0,
          reconnectDelayHandler: () => reconnect.next(),
          timeout: 10_000,
        });
      } catch (error) {
        const attempt = dial.failures;
        const waitMs = dial.next();
        // Said once, then every tenth try, so an absent server does not fill the log.
        if (attempt % 10 === 0)
          logger.warn(
            { servers, error: (error as Error).message, retryInMs: waitMs, attempt: attempt + 1 },
            "NATS is not reachable; trying again",
          );
        await this.sleep(waitMs);
        continue;
      }
      if (this.closing) {
        await nc.close().catch(() => {});
        break;
      }
      dial.reset();
      reconnect.reset();
      this.nc = nc;
      for (const entry of this.standing) this.attach(nc, entry);
      logger.info({ server: nc.getServer() }, everConnected ? "NATS connected again" : "NATS connected");
      if (everConnected) this.reconnects++;
      everConnected = true;
      this.setUp(true);
      void this.watch(nc, () => reconnect.reset());
      const error = await nc.closed();
      this.setUp(false);
      for (const entry of this.standing) entry.current = undefined;
      if (!this.closing)
        logger.warn(
          { error: error instanceof Error ? error.message : undefined },
          "NATS connection closed; dialling again",
        );
    }
  }

  private async watch(nc: NatsConnection, onReconnect: () => void): Promise<void> {
    const { logger } = this.options;
    for await (const status of nc.status()) {
      if (this.nc !== nc) break;
      switch (status.type) {
        case "disconnect":
          logger.warn({ server: status.server }, "NATS connection lost; reconnecting");
          this.setUp(false);
          break;
        case "reconnect":
          onReconnect();
          this.reconnects++;
          logger.info({ server: status.server }, "NATS connection back");
          this.setUp(true);
          break;
        case "error":
          logger.warn({ error: status.error.message }, "NATS server error");
          break;
        default:
          break;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleeper = setTimeout(resolve, ms);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.sleeper !== undefined) clearTimeout(this.sleeper);
    this.wake?.();
    for (const entry of this.standing) entry.current?.unsubscribe();
    this.standing.clear();
    const nc = this.nc;
    if (nc !== undefined && !nc.isClosed()) await nc.close().catch(() => {});
    await this.running;
    this.setUp(false);
  }
}
