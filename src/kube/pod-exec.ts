// A command run in a pod's container (pods/{name}/exec), as kubectl exec runs it: a WebSocket with
// the Kubernetes remotecommand subprotocol, v5.channel.k8s.io preferred and v4.channel.k8s.io
// offered too (the server picks; v4 cannot say that stdin has ended). Each binary message starts
// with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal size; v5 adds 255,
// "this channel is closed". The session relays shells to Meshery, so every buffer has a bound.
import http from "node:http";
import { EXEC_PROTOCOL_V4, EXEC_PROTOCOL_V5, ExecChannel, type ExecProtocol } from "@meshsync/k8s";
import WebSocket from "ws";
import { errorText, isRecord, KubeApiError, kubeErrorFromStatus } from "./errors.js";
import { type KubeRequester, refusalOf } from "./http-client.js";

const {
  stdin: CHANNEL_STDIN,
  stdout: CHANNEL_STDOUT,
  stderr: CHANNEL_STDERR,
  error: CHANNEL_ERROR,
  resize: CHANNEL_RESIZE,
  close: CHANNEL_CLOSE,
} = ExecChannel;

export interface PodExecOptions {
  namespace: string;
  pod: string;
  /** The program and its arguments, e.g. ["sh"] or ["ls", "-l"]. */
  command: readonly string[];
  /** Needed when the pod has more than one container. */
  container?: string;
  /** Open stdin (default true). */
  stdin?: boolean;
  /** Default true. */
  stdout?: boolean;
  /** Default true; a tty has none (its errors come on stdout), as the kubelet does it. */
  stderr?: boolean;
  /** Run on a terminal: output arrives as a terminal shows it, prompts included. */
  tty?: boolean;
  /** Sent at once when tty, so the first screen has the right size. */
  terminalSize?: TerminalSize;
  /** Give up when the server has not upgraded the connection by then. Default 15 s. */
  connectTimeoutMs?: number;
  /**
   * Output waiting for a reader beyond this pauses the socket (the server then waits) until the
   * reader catches up. Default 1 MiB.
   */
  maxBufferedOutputBytes?: number;
  /** Gets each output chunk as it arrives instead of the session's iterator. */
  onOutput?: (chunk: ExecOutput) => void;
  /** Closes the session (its end rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface TerminalSize {
  width: number;
  height: number;
}

export interface ExecOutput {
  stream: "stdout" | "stderr";
  data: Buffer;
}

/** How the command ended: its exit code, from the Status the server sends on channel 3. */
export interface ExecResult {
  exitCode: number;
  /** The Status's message for a non-zero exit, e.g. "command terminated with non-zero exit code: …". */
  message: string | undefined;
}

/** One running command. Iterate it for output; `done` settles when the server ends the session. */
export interface PodExecSession extends AsyncIterable<ExecOutput> {
  /** The subprotocol the server chose. */
  readonly protocol: ExecProtocol;
  /** Sends bytes to the command's stdin; false when stdin is not open or already closed. */
  write(data: string | Uint8Array): boolean;
  /** Tells the command stdin has ended (v5 only: on v4 it only stops further writes). */
  closeStdin(): void;
  /** Tells a tty session the terminal's new size. */
  resize(size: TerminalSize): void;
  /** Ends the session from our side; `done` then rejects unless the status already came. */
  close(): void;
  /**
   * Resolves with the exit code (0 on success); rejects with a KubeApiError when the server reports
   * a failure that is not an exit code (e.g. the container is not running), or with an error when
   * the connection ends without a status.
   */
  readonly done: Promise<ExecResult>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BUFFERED_OUTPUT = 1024 * 1024;
/** One message from the server; stdout chunks are far smaller, a Status a few hundred bytes. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_COMMAND_PARTS = 1024;
const STDIN_PIECE_BYTES = 32 * 1024;
const MAX_COMMAND_BYTES = 128 * 1024;
/** The server sends pings rarely or never; client-go sends one every 5 s so dead peers show. */
const PING_INTERVAL_MS = 5_000;
/** No pong (or any message) within this: the peer is gone. client-go allows 12 missed pings. */
const PEER_TIMEOUT_MS = 61_000;

/** Starts a command in a pod; resolves once the server has upgraded the connection. */
export async function openPodExec(client: KubeRequester, options: PodExecOptions): Promise<PodExecSession> {
  const url = execUrl(client.server, options);
  // ws hands its options to http(s).request for the upgrade request, so the shared agent, the
  // kubeconfig's CA, client certificate and key, impersonation headers and a freshly applied
  // Authorization reach the handshake exactly as they reach every other request of this client.
  // The upgraded socket then leaves the agent's pool (node emits agentRemove on upgrade).
  const connection = await client.connectionOptions();
  const { agent, headers, auth, ...tls } = connection;
  const socket = new WebSocket(url, [EXEC_PROTOCOL_V5, EXEC_PROTOCOL_V4], {
    ...tlsOptionsOf(tls),
    ...(agent instanceof http.Agent ? { agent } : {}),
    headers: headersOf(headers),
    ...(typeof auth === "string" ? { auth } : {}),
    handshakeTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
    followRedirects: false,
  });
  // Listening from the start: the server may send its first frames, even its status and close, in
  // the same packet as the upgrade, before the open event's continuation runs.
  const session = new ExecSession(socket, options);
  try {
    await opened(socket, url, options.signal);
  } catch (error) {
    socket.terminate();
    throw error;
  }
  const protocol = socket.protocol;
  if (protocol !== EXEC_PROTOCOL_V5 && protocol !== EXEC_PROTOCOL_V4) {
    socket.terminate();
    throw new Error(`exec: the server chose no remotecommand protocol we speak (${protocol || "none"})`);
  }
  session.started(protocol);
  return session;
}

function execUrl(server: string, options: PodExecOptions): string {
  for (const [what, value] of [
    ["namespace", options.namespace],
    ["pod", options.pod],
    ["container", options.container],
  ] as const) {
    if (value !== undefined && (value === "" || value.length > 253 || value.includes("/"))) {
      throw new KubeApiError(
        400,
        `exec: invalid ${what} name ${JSON.stringify(value.slice(0, 64))}`,
        "BadRequest",
      );
    }
  }
  const command = options.command;
  const commandBytes = command.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  if (command.length === 0 || command.length > MAX_COMMAND_PARTS || commandBytes > MAX_COMMAND_BYTES) {
    throw new KubeApiError(400, "exec: a command needs 1 to 1024 parts, 128 KiB in all", "BadRequest");
  }
  const tty = options.tty === true;
  const search = new URLSearchParams();
  for (const part of command) search.append("command", part);
  if (options.container !== undefined) search.set("container", options.container);
  search.set("stdin", String(options.stdin ?? true));
  search.set("stdout", String(options.stdout ?? true));
  search.set("stderr", String(!tty && (options.stderr ?? true)));
  search.set("tty", String(tty));
  const base = new URL(server);
  base.protocol = base.protocol === "http:" ? "ws:" : "wss:";
  const prefix = base.pathname.replace(/\/+$/, "");
  base.pathname = `${prefix}/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/exec`;
  base.search = search.toString();
  return base.toString();
}

const TLS_KEYS = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;

function tlsOptionsOf(options: Record<string, unknown>): WebSocket.ClientOptions {
  const picked: Record<string, unknown> = {};
  for (const key of TLS_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked as WebSocket.ClientOptions;
}

function headersOf(
  headers: http.OutgoingHttpHeaders | readonly string[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || Array.isArray(headers)) return out;
  for (const [name, value] of Object.entries(headers as http.OutgoingHttpHeaders)) {
    if (typeof value === "string") out[name] = value;
    else if (typeof value === "number") out[name] = String(value);
    else if (Array.isArray(value)) out[name] = value.join(", ");
  }
  return out;
}

/** Waits for the upgrade; a refusal becomes the KubeApiError its Status body describes. */
function opened(socket: WebSocket, url: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => fail(signal?.reason ?? new Error("exec: aborted"));
    const cleanup = () => {
      socket.off("open", onOpen);
      socket.off("error", onError);
      socket.off("unexpected-response", onRefused);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail(error);
    const onRefused = (_request: http.ClientRequest, response: http.IncomingMessage) => {
      refusalOf(response, `exec ${new URL(url).pathname}`).then(fail, fail);
    };
    socket.on("open", onOpen);
    socket.on("error", onError);
    socket.on("unexpected-response", onRefused);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The result a channel-3 Status stands for, or the error it reports. */
export function execResultOf(status: unknown): ExecResult | KubeApiError {
  if (!isRecord(status)) return new KubeApiError(500, "exec: the server's status is not an object");
  if (status.status === "Success") return { exitCode: 0, message: undefined };
  const message = typeof status.message === "string" ? status.message : undefined;
  if (status.reason === "NonZeroExitCode") {
    const details = isRecord(status.details) ? status.details : {};
    const causes = Array.isArray(details.causes) ? details.causes : [];
    const cause = causes.find((entry) => isRecord(entry) && entry.reason === "ExitCode");
    const code = isRecord(cause) && typeof cause.message === "string" ? Number(cause.message) : Number.NaN;
    if (Number.isInteger(code) && code >= 0 && code <= 255) return { exitCode: code, message };
    return new KubeApiError(500, `exec: ${message ?? "non-zero exit code"} (the code itself is missing)`);
  }
  return kubeErrorFromStatus(status, 500);
}

class ExecSession implements PodExecSession {
  readonly done: Promise<ExecResult>;
  private readonly queue: ExecOutput[] = [];
  private queuedBytes = 0;
  private paused = false;
  private wake: (() => void) | undefined;
  private ended = false;
  private endError: unknown;
  private iterating = false;
  private stdinOpen: boolean;
  private readonly maxBuffered: number;
  private readonly tty: boolean;
  private status: ExecResult | KubeApiError | undefined;
  private closedByUs: unknown;
  private readonly heartbeat: NodeJS.Timeout;
  private lastHeard = Date.now();

  /** Known once the server has upgraded the connection. */
  protocol: ExecProtocol = EXEC_PROTOCOL_V5;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: PodExecOptions,
  ) {
    this.stdinOpen = options.stdin ?? true;
    this.tty = options.tty === true;
    this.maxBuffered = options.maxBufferedOutputBytes ?? DEFAULT_MAX_BUFFERED_OUTPUT;
    this.done = new Promise<ExecResult>((resolve, reject) => {
      socket.on("close", (code, reason) => {
        clearInterval(this.heartbeat);
        options.signal?.removeEventListener("abort", this.onAbort);
        const outcome = this.outcome(code, reason.toString("utf8"));
        this.finishOutput(outcome instanceof Error ? outcome : undefined);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
    });
    // A caller that only awaits output must not see an unhandled rejection from `done`.
    this.done.catch(() => {});
    socket.on("error", () => {
      // The close that follows reports it; an error here must not crash the process.
    });
    socket.on("message", (data, isBinary) => this.receive(data, isBinary));
    socket.on("pong", () => {
      this.lastHeard = Date.now();
    });
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > PEER_TIMEOUT_MS) {
        this.closedByUs ??= new Error(`exec: no word from the server for ${PEER_TIMEOUT_MS / 1000} s`);
        socket.terminate();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, PING_INTERVAL_MS);
    this.heartbeat.unref();
  }

  /** The upgrade is done: the session now answers to its signal and sends the first size. */
  started(protocol: ExecProtocol): void {
    this.protocol = protocol;
    const signal = this.options.signal;
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener("abort", this.onAbort, { once: true });
    if (this.tty && this.options.terminalSize) this.resize(this.options.terminalSize);
  }

  write(data: string | Uint8Array): boolean {
    if (!this.stdinOpen || this.socket.readyState !== WebSocket.OPEN) return false;
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
    // Large pastes go in pieces, each well under any server's message limit.
    for (let offset = 0; offset < bytes.length; offset += STDIN_PIECE_BYTES) {
      this.send(CHANNEL_STDIN, bytes.subarray(offset, offset + STDIN_PIECE_BYTES));
    }
    return true;
  }

  closeStdin(): void {
    if (!this.stdinOpen) return;
    this.stdinOpen = false;
    if (this.protocol === EXEC_PROTOCOL_V5 && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(Buffer.from([CHANNEL_CLOSE, CHANNEL_STDIN]));
    }
  }

  resize(size: TerminalSize): void {
    const valid = (value: number) => Number.isInteger(value) && value > 0 && value <= 65535;
    if (!valid(size.width) || !valid(size.height))
      throw new Error("exec: a terminal size is 1 to 65535 wide and high");
    if (!this.tty || this.socket.readyState !== WebSocket.OPEN) return;
    this.send(CHANNEL_RESIZE, Buffer.from(JSON.stringify({ Width: size.width, Height: size.height })));
  }

  close(): void {
    this.closedByUs ??= new Error("exec: the session was closed before the command ended");
    this.endSocket();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ExecOutput> {
    if (this.options.onOutput) throw new Error("exec: output goes to onOutput; there is nothing to iterate");
    if (this.iterating) throw new Error("exec: a session's output can be read only once");
    this.iterating = true;
    try {
      while (true) {
        const next = this.queue.shift();
        if (next) {
          this.queuedBytes -= next.data.length;
          if (this.paused && this.queuedBytes <= this.maxBuffered / 2) {
            this.paused = false;
            this.socket.resume();
          }
          yield next;
          continue;
        }
        if (this.ended) {
          if (this.endError !== undefined) throw this.endError;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      // A reader that stops early is done with the session.
      if (!this.ended) this.close();
    }
  }

  private readonly onAbort = () => {
    this.closedByUs ??= this.options.signal?.reason ?? new Error("exec: aborted");
    this.endSocket();
  };

  private endSocket(): void {
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000);
      // A server that never answers the close frame must not keep the socket.
      setTimeout(() => this.socket.terminate(), 2_000).unref();
    }
  }

  private send(channel: number, payload: Buffer): void {
    const frame = Buffer.allocUnsafe(payload.length + 1);
    frame[0] = channel;
    payload.copy(frame, 1);
    this.socket.send(frame, { binary: true });
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    this.lastHeard = Date.now();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!isBinary || bytes.length === 0) return; // the remotecommand protocols only speak binary
    const channel = bytes[0];
    const payload = bytes.subarray(1);
    switch (channel) {
      case CHANNEL_STDOUT:
      case CHANNEL_STDERR:
        if (payload.length > 0)
          this.output({ stream: channel === CHANNEL_STDOUT ? "stdout" : "stderr", data: payload });
        return;
      case CHANNEL_ERROR:
        if (payload.length === 0) return; // the "connected" notice when no output channel is open
        this.status = this.readStatus(payload);
        return;
      default:
        return; // v5's close notices and unknown channels tell a client nothing it acts on
    }
  }

  private readStatus(payload: Buffer): ExecResult | KubeApiError {
    try {
      return execResultOf(JSON.parse(payload.toString("utf8")));
    } catch {
      // v1-v3 servers sent the error as text; kept for what a proxy in between might send.
      return new KubeApiError(500, `exec: ${payload.toString("utf8").slice(0, 500)}`);
    }
  }

  private output(chunk: ExecOutput): void {
    const listener = this.options.onOutput;
    if (listener) {
      try {
        listener(chunk);
      } catch {
        // The listener's failure is its own; the session goes on.
      }
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.data.length;
    if (!this.paused && this.queuedBytes > this.maxBuffered) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake?.();
  }

  private outcome(code: number, reason: string): ExecResult | Error {
    if (this.status !== undefined) return this.status;
    if (this.closedByUs !== undefined) return asError(this.closedByUs);
    const why = reason ? `: ${reason}` : code === 1006 ? " abnormally" : "";
    return new Error(`exec: the connection closed before the command's status arrived (${code}${why})`);
  }

  private finishOutput(error: Error | undefined): void {
    this.ended = true;
    // A session that ended with a status leaves its output readable to the end.
    this.endError = error;
    if (this.paused) this.socket.resume();
    this.wake?.();
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(errorText(reason));
}
