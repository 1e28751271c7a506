import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { type ExecutionResult, GraphQLError } from "graphql";
import { GRAPHQL_TRANSPORT_WS_PROTOCOL, type Message, MessageType, parseMessage } from "graphql-ws";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { CloseCode, ErrorCode } from "../api/index.js";
import { credentialOfConnectionParams } from "./auth.js";
import {
  type Connection,
  type Fanout,
  type FrameSink,
  resultPieces,
  serializeResult,
} from "./fanout/index.js";
import { type OperationParams, prepareOperation } from "./operation.js";
import type { ServerLimits } from "./options.js";
import { drainedOrGone, OrderedWriter, writesWaitingBound } from "./ordered-writer.js";
import { writeFragment, writeTextFrame } from "./ws-frames.js";
import type { MeshsyncYoga } from "./yoga.js";

/** What every session of one server shares. */
export interface SessionDeps {
  yoga: MeshsyncYoga;
  fanout: Fanout;
  token: string | undefined;
  limits: ServerLimits;
  logger: Logger;
  /** Counts a refusal by reason (metrics). */
  refused(reason: string): void;
  /** Counts a subscription started or refused (metrics). */
  subscribed(outcome: "ok" | "error"): void;
  /** Whether one more acknowledged socket fits; called at connection_init. */
  admit(session: GraphqlWsSession): boolean;
  /** The session is over, acknowledged or not. */
  ended(session: GraphqlWsSession): void;
}

/** A close reason must fit a control frame: 123 bytes. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 100)}…`;
}

function errorsJson(errors: readonly GraphQLError[]): string {
  const payload = serializeResult({ errors });
  return payload.slice('{"errors":'.length, -1);
}

/**
 * The server side of graphql-ws's protocol (`graphql-transport-ws`) for one socket, written here rather
 * than taken from graphql-ws's makeServer so that change frames come from the fan-out's shared payloads
 * and every write is bounded. graphql-ws's own client is the conformance test.
 */
export class GraphqlWsSession {
  acknowledged = false;
  private initReceived = false;
  private connection: Connection | undefined;
  /** Operations running or being prepared, by id. */
  private readonly operations = new Set<string>();
  private readonly initTimer: NodeJS.Timeout;
  private readonly keepAlive: NodeJS.Timeout;
  private awaitingPong = false;
  private closing = false;
  /** Messages outside the fan-out, in order; a long result a fragment a turn. */
  private readonly writer: OrderedWriter;

  constructor(
    private readonly ws: WebSocket,
    private readonly raw: Socket,
    private readonly request: IncomingMessage,
    /** The upgrade carried a valid token (header or cookie). */
    private readonly authenticated: boolean,
    private readonly deps: SessionDeps,
  ) {
    const { limits } = deps;
    this.writer = new OrderedWriter(
      {
        whole: (text, onWritten) => this.sendNow(text, onWritten),
        chunk: (bytes, first, last, onWritten) => writeFragment(raw, bytes, first, last, onWritten),
        full: () => ws.bufferedAmount >= limits.socketHighWaterBytes,
        drained: () => drainedOrGone(raw),
        stopped: () => this.closing || ws.readyState !== ws.OPEN,
        unsent: () => ws.bufferedAmount,
      },
      { maxWaiting: writesWaitingBound, stallMs: limits.slowSocketTimeoutMs },
      {
        stalled: (unsent) =>
          this.evict(`too slow: ${unsent} bytes unsent for ${limits.slowSocketTimeoutMs} ms`),
        overflowed: () => this.evict(`too slow: ${writesWaitingBound} messages waiting behind a result`),
        idle: () => this.connection?.wake(),
      },
    );
    this.initTimer = setTimeout(() => {
      if (!this.initReceived) {
        deps.refused("init_timeout");
        this.close(CloseCode.ConnectionInitialisationTimeout, "Connection initialisation timeout");
      }
    }, limits.connectionInitTimeoutMs);
    this.initTimer.unref();
    this.keepAlive = setInterval(() => this.ping(), limits.keepAliveMs);
    this.keepAlive.unref();
    ws.on("pong", () => {
      this.awaitingPong = false;
    });
    ws.on("message", (data) => this.onMessage(String(data)));
    ws.on("error", (error: Error & { code?: string }) => {
      // ws closes the socket itself (1009 for an oversized message); one line says why.
      deps.logger.info({ code: error.code, remote: this.remote }, `websocket closed: ${error.message}`);
    });
    ws.once("close", () => this.onClose());
    // What the fan-out held back while the socket was full goes out once the kernel took the rest.
    raw.on("drain", () => this.connection?.wake());
    if (ws.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      this.close(CloseCode.SubprotocolNotAcceptable, "Subprotocol not acceptable");
    }
  }

  get remote(): string | undefined {
    return this.request.socket.remoteAddress;
  }

  /** Closes with a code; a client that does not read the close frame is cut after the grace time. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.connection?.release();
    this.ws.close(code, closeReason(reason));
    setTimeout(() => this.ws.terminate(), this.deps.limits.closeGraceMs).unref();
  }

  /** Closes for falling behind, counted with the fan-out's own evictions. */
  private evict(reason: string): void {
    if (this.connection === undefined) this.close(CloseCode.TooSlow, reason);
    else this.connection.evict(reason, "too_slow");
  }

  private ping(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.awaitingPong) {
      // A socket that is merely behind is the fan-out's, or the writer's, to judge (4413); this one is gone.
      if (this.connection?.blockedSince === undefined && !this.writer.busy) this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ws.ping();
  }

  private sink(): FrameSink {
    const { ws, raw } = this;
    return {
      transport: "ws",
      // Nothing may land inside a long result: until it is out, the socket counts as full.
      buffered: () =>
        this.writer.busy
          ? Math.max(ws.bufferedAmount, this.deps.limits.socketHighWaterBytes)
          : ws.bufferedAmount,
      cork: () => raw.cork(),
      uncork: () => raw.uncork(),
      nextPrefix: (idJson) => Buffer.from(`{"id":${idJson},"type":"next","payload":`),
      writeNext: (prefix, payload) => writeTextFrame(raw, prefix, payload),
      evict: (reason) => this.close(CloseCode.TooSlow, reason),
    };
  }

  /** A message outside the fan-out (ack, pong, errors): bounded by closing a socket that does not read. */
  private send(text: string): void {
    this.writer.write(() => {
      if (!this.closedForUnsent()) this.sendNow(text);
    });
  }

  /** Closes the socket when it holds more unsent than a reader may leave; true when it is closing. */
  private closedForUnsent(): boolean {
    const { limits } = this.deps;
    if (this.ws.bufferedAmount > limits.socketHighWaterBytes + limits.maxQueuedBytesPerSocket) {
      this.close(CloseCode.TooSlow, `too slow: ${this.ws.bufferedAmount} bytes unsent`);
    }
    return this.closing || this.ws.readyState !== this.ws.OPEN;
  }

  /** Writes a message now; `onWritten` once it is out of the process, or at once when the socket is gone. */
  private sendNow(text: string, onWritten?: () => void): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) onWritten?.();
    else this.ws.send(text, () => onWritten?.());
  }

  /**
   * A message of a few bytes that ends or acknowledges something the client asked for: never refused
   * for the bytes before it, which may be the very result it completes.
   */
  private sendControl(text: string, onWritten?: () => void): void {
    this.writer.write(() => this.sendNow(text, onWritten));
  }

  private onMessage(text: string): void {
    if (this.closing) return;
    let message: Message;
    try {
      message = parseMessage(text);
    } catch {
      this.deps.refused("protocol");
      this.close(CloseCode.BadRequest, "Invalid message received");
      return;
    }
    switch (message.type) {
      case MessageType.ConnectionInit:
        this.onInit(message.payload);
        return;
      case MessageType.Ping:
        this.send(
          JSON.stringify(
            message.payload === undefined ? { type: "pong" } : { type: "pong", payload: message.payload },
          ),
        );
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        void this.onSubscribe(message.id, message.payload);
        return;
      case MessageType.Complete:
        this.operations.delete(message.id);
        this.connection?.stop(message.id);
        return;
      default:
        this.deps.refused("protocol");
        this.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  private onInit(payload: Record<string, unknown> | null | undefined): void {
    const { deps } = this;
    if (this.initReceived) {
      this.close(CloseCode.TooManyInitialisationRequests, "Too many initialisation requests");
      return;
    }
    this.initReceived = true;
    clearTimeout(this.initTimer);
    const token = deps.token;
    if (
      token !== undefined &&
      !this.authenticated &&
      credentialOfConnectionParams(payload, token) !== "valid"
    ) {
      deps.refused("unauthorized");
      deps.logger.info({ remote: this.remote }, "graphql-ws connection refused: missing or wrong token");
      this.close(CloseCode.Unauthorized, "Unauthorized");
      return;
    }
    if (!deps.admit(this)) {
      deps.refused("connections");
      this.close(CloseCode.ServerBusy, `the server has ${deps.limits.maxConnections} connections, its limit`);
      return;
    }
    this.acknowledged = true;
    this.connection = deps.fanout.open(this.sink(), token === undefined ? "open" : "token");
    this.sendControl('{"type":"connection_ack"}');
  }

  private async onSubscribe(id: string, payload: OperationParams): Promise<void> {
    const { deps } = this;
    const connection = this.connection;
    if (!this.acknowledged || connection === undefined) {
      this.close(CloseCode.Unauthorized, "Unauthorized");
      return;
    }
    if (this.operations.has(id)) {
      this.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      return;
    }
    const idJson = JSON.stringify(id);
    const limit = deps.limits.maxSubscriptionsPerSocket;
    if (this.operations.size >= limit) {
      deps.refused("subscriptions_per_socket");
      const error = new GraphQLError(`at most ${limit} operations may run at once on one socket`, {
        extensions: { code: ErrorCode.TooManySubscriptions },
      });
      this.send(`{"id":${idJson},"type":"error","payload":${errorsJson([error])}}`);
      return;
    }
    this.operations.add(id);
    let prepared: Awaited<ReturnType<typeof prepareOperation>>;
    try {
      prepared = await prepareOperation(deps.yoga, deps.limits, payload, this.request);
    } catch (error) {
      deps.logger.error({ err: error }, "graphql-ws operation failed");
      this.operations.delete(id);
      this.close(CloseCode.InternalServerError, "Internal server error");
      return;
    }
    // Completed by the client, or the socket went, while it was being prepared.
    if (!this.operations.has(id) || this.closing) return;
    switch (prepared.kind) {
      case "errors":
        deps.refused(prepared.stage);
        this.operations.delete(id);
        this.send(`{"id":${idJson},"type":"error","payload":${errorsJson(prepared.errors)}}`);
        return;
      case "result":
        this.operations.delete(id);
        this.sendResult(idJson, prepared.result, prepared.written);
        return;
      case "changes": {
        const refused = deps.fanout.subscribe(
          connection,
          id,
          prepared.subscription,
          prepared.key,
          prepared.render,
        );
        if (refused !== undefined) {
          deps.subscribed("error");
          deps.refused("budget");
          this.operations.delete(id);
          this.send(`{"id":${idJson},"type":"error","payload":${errorsJson([refused])}}`);
          return;
        }
        deps.subscribed("ok");
      }
    }
  }

  /**
   * The result, then its complete; `written` once both are out of the process (or the socket is gone).
   * A long result is refused as any message is when the socket has not read what came before it.
   */
  private sendResult(idJson: string, result: ExecutionResult, written: () => void): void {
    this.writer.write(() => this.closedForUnsent());
    this.writer.message([`{"id":${idJson},"type":"next","payload":`, ...resultPieces(result), "}"]);
    this.sendControl(`{"id":${idJson},"type":"complete"}`, written);
  }

  private onClose(): void {
    clearTimeout(this.initTimer);
    clearInterval(this.keepAlive);
    this.closing = true;
    this.operations.clear();
    this.connection?.release();
    this.deps.ended(this);
  }
}
