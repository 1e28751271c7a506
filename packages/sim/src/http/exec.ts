// pods/{name}/exec as kube-apiserver serves it: an HTTP upgrade to a WebSocket speaking the
// remotecommand subprotocol v5.channel.k8s.io (what kube-apiserver ≥1.30 serves itself, translating
// to the kubelet) or v4.channel.k8s.io (what it proxies to the kubelet's own server). Every binary
// message starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the final metav1.Status, 4 terminal
// size as JSON {"Width","Height"}; v5 adds 255, whose payload names a channel the peer has closed.
// The checks before the upgrade (pod, container, node) answer as the API server does; what the
// kubelet or the runtime would refuse (a container that is not running, no such program) comes after
// the upgrade on channel 3 for v5 and as the kubelet's plain-text refusal for v4.

import { randomBytes } from "node:crypto";
import { type IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { EXEC_PROTOCOL_V4, EXEC_PROTOCOL_V5, ExecChannel } from "@meshsync/k8s";
import { type WebSocket, WebSocketServer } from "ws";
import type { SimResourceType } from "../catalog.js";
import { record, records } from "../json.js";
import type { KubeObject } from "../object-api.js";
import type { ObjectStore } from "../store/index.js";
import { badRequest, notFound, StatusError } from "../store/status-error.js";
import { type ProcessIo, type ScriptedProcess, StartFailure, startProcess } from "./exec-shell.js";
import { sendError } from "./respond.js";
import { parseRoute } from "./route.js";

const {
  stdin: STDIN,
  stdout: STDOUT,
  stderr: STDERR,
  error: ERROR,
  resize: RESIZE,
  close: CLOSE,
} = ExecChannel;

export interface ExecLimits {
  /** Sessions open at once; one more is refused with 429. */
  maxSessions: number;
  /** A session with no message from the client for this long ends. */
  idleTimeoutMs: number;
  /** No session lasts longer than this. */
  maxSessionMs: number;
  /** An input line (and a resize message) longer than this is refused. */
  maxLineBytes: number;
  /** One WebSocket message from a client. */
  maxMessageBytes: number;
  /** Output the client has not read yet; beyond it the session ends rather than queue more. */
  maxUnreadBytes: number;
}

const DEFAULT_LIMITS: ExecLimits = {
  maxSessions: 64,
  idleTimeoutMs: 10 * 60_000,
  maxSessionMs: 60 * 60_000,
  maxLineBytes: 16 * 1024,
  maxMessageBytes: 1024 * 1024,
  maxUnreadBytes: 4 * 1024 * 1024,
};
const MAX_COMMAND_PARTS = 1024;
/** How long the client has to answer our close frame before the socket is cut. */
const CLOSE_WAIT_MS = 5_000;

interface ExecRequest {
  pod: KubeObject;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Parses an exec request's target and options, failing as the API server does before it upgrades. */
export function resolveExec(
  store: ObjectStore,
  type: SimResourceType,
  namespace: string | undefined,
  name: string,
  query: URLSearchParams,
): ExecRequest {
  const pod = store.getStored(type, namespace, name);
  if (!pod) throw notFound({ group: "", resource: "pods" }, name);
  const container = chooseContainer(pod, name, query.get("container") ?? "");
  const nodeName = record(pod.spec).nodeName;
  if (typeof nodeName !== "string" || nodeName === "") {
    throw badRequest(`pod ${name} does not have a host assigned`);
  }
  const flag = (key: string) => {
    const value = (query.get(key) ?? "").toLowerCase();
    return value === "true" || value === "1";
  };
  const tty = flag("tty");
  const options = {
    stdin: flag("stdin"),
    stdout: flag("stdout"),
    // The kubelet drops stderr on a tty: a terminal has one output.
    stderr: flag("stderr") && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !options.stderr) {
    throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  }
  const command = query.getAll("command");
  if (command.length > MAX_COMMAND_PARTS) throw badRequest(`at most ${MAX_COMMAND_PARTS} command parts`);
  return { pod, container, command, ...options };
}

/** A plain (not upgraded) request to pods/exec: the same checks, then the API server's 400. */
export function refuseExecWithoutUpgrade(
  store: ObjectStore,
  type: SimResourceType,
  namespace: string | undefined,
  name: string,
  query: URLSearchParams,
): never {
  resolveExec(store, type, namespace, name, query);
  throw badRequest("Upgrade request required");
}

function containerNames(list: unknown): string[] {
  return records(list)
    .map((container) => container.name)
    .filter((name): name is string => typeof name === "string" && name !== "");
}

/** As the API server's streamLocation picks the container, with its wording. */
function chooseContainer(pod: KubeObject, podName: string, requested: string): string {
  const spec = record(pod.spec);
  const containers = containerNames(spec.containers);
  const all = [
    ...containers,
    ...containerNames(spec.initContainers),
    ...containerNames(spec.ephemeralContainers),
  ];
  if (requested !== "") {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
  const init = containerNames(spec.initContainers);
  let message = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(" ")}]`;
  if (init.length > 0) message += ` or one of the init containers: [${init.join(" ")}]`;
  throw badRequest(message);
}

/** The container is running in the kubelet's eyes: the runtime lists it, so exec can reach it. */
function isRunning(pod: KubeObject, container: string): boolean {
  const status = record(pod.status);
  const all = [
    ...records(status.containerStatuses),
    ...records(status.initContainerStatuses),
    ...records(status.ephemeralContainerStatuses),
  ];
  const entry = all.find((candidate) => candidate.name === container);
  if (entry === undefined) return false;
  // Objects loaded as written often leave out the state: a Running pod's container then runs.
  if (entry.state === undefined) return status.phase === "Running";
  return record(entry.state).running !== undefined;
}

function literalEnv(pod: KubeObject, container: string): Record<string, string> {
  const spec = record(pod.spec);
  const all = [
    ...records(spec.containers),
    ...records(spec.initContainers),
    ...records(spec.ephemeralContainers),
  ];
  const entry = all.find((candidate) => candidate.name === container);
  const env: Record<string, string> = {};
  for (const variable of records(entry?.env)) {
    if (typeof variable.name === "string" && typeof variable.value === "string")
      env[variable.name] = variable.value;
  }
  return env;
}

interface Status {
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

function internalError(message: string): Status {
  return {
    metadata: {},
    status: "Failure",
    message: `Internal error occurred: ${message}`,
    reason: "InternalError",
    details: { causes: [{ message }] },
    code: 500,
  };
}

/** A non-zero exit as each protocol's server words it (v5's passes through client-go once more). */
function exitStatus(code: number, protocol: string, command: string[]): Status {
  const inner =
    protocol === EXEC_PROTOCOL_V5
      ? `command terminated with exit code ${code}`
      : `error executing command [${command.join(" ")}], exit code ${code}`;
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: ${inner}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** The exec sessions of one simulator, reached through the HTTP server's upgrade event. */
export class ExecSessions {
  private readonly limits: ExecLimits;
  private readonly server: WebSocketServer;
  private readonly sessions = new Set<ExecSession>();

  constructor(
    private readonly store: ObjectStore,
    limits: Partial<ExecLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.server = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: this.limits.maxMessageBytes,
      // The API server picks the newest protocol the client offers that it knows.
      handleProtocols: (offered) => pickProtocol(offered) ?? false,
    });
  }

  get openCount(): number {
    return this.sessions.size;
  }

  /**
   * Handles one upgrade request: an exec gets its session; any other upgrade (or a refused exec) is
   * answered as a plain HTTP request by `plain`, or with the Status a refusal carries.
   */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    plain: (req: IncomingMessage, res: ServerResponse) => void,
  ): void {
    socket.on("error", () => socket.destroy());
    try {
      const url = new URL(req.url ?? "/", "http://simulator");
      const route = parseRoute(url.pathname, (group, version, resource) => {
        return this.store.registry.find(group, version, resource)?.namespaced === true;
      });
      const isExec =
        route?.kind === "resource" &&
        route.group === "" &&
        route.resource === "pods" &&
        route.subresource === "exec" &&
        route.name !== undefined;
      if (!isExec || !isWebSocketUpgrade(req)) {
        plain(req, answerOn(req, socket));
        return;
      }
      if (req.method !== "GET" && req.method !== "POST")
        throw new StatusError(
          405,
          "MethodNotAllowed",
          "the server does not allow this method on the requested resource",
        );
      const type = this.store.resolve("", "v1", "pods");
      const exec = resolveExec(this.store, type, route.namespace, route.name!, url.searchParams);
      const protocol = pickProtocol(offeredProtocols(req));
      if (!protocol) {
        // wsstream's handshake refuses what it does not know, with Go's websocket server's 403.
        refuse(socket, 403, "Forbidden", "requested protocol(s) are not supported");
        return;
      }
      if (this.sessions.size >= this.limits.maxSessions) {
        throw new StatusError(
          429,
          "TooManyRequests",
          `too many exec sessions open (at most ${this.limits.maxSessions})`,
        );
      }
      const kubeletRefusal = kubeletRefusalOf(exec);
      if (kubeletRefusal !== undefined && protocol === EXEC_PROTOCOL_V4) {
        // v4 goes through to the kubelet, whose refusal comes back as it wrote it.
        refuse(socket, 500, "Internal Server Error", kubeletRefusal);
        return;
      }
      this.server.handleUpgrade(req, socket, head, (ws) => {
        const session = new ExecSession(ws, ws.protocol, exec, this.limits, kubeletRefusal, () => {
          this.sessions.delete(session);
        });
        this.sessions.add(session);
        session.start();
      });
    } catch (error) {
      const res = answerOn(req, socket);
      sendError(res, error);
    }
  }

  closeAll(): void {
    for (const session of this.sessions) session.terminate();
    this.sessions.clear();
    this.server.close();
  }
}

/** What the kubelet answers (500, text) when it cannot reach the container. */
function kubeletRefusalOf(exec: ExecRequest): string | undefined {
  if (!isRunning(exec.pod, exec.container)) return `container not found ("${exec.container}")`;
  if (exec.command.length === 0) return "command is required";
  return undefined;
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = (req.headers.upgrade ?? "").toLowerCase();
  const connection = (req.headers.connection ?? "").toLowerCase();
  return upgrade === "websocket" && connection.split(",").some((part) => part.trim() === "upgrade");
}

function offeredProtocols(req: IncomingMessage): Set<string> {
  const header = req.headers["sec-websocket-protocol"];
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  return new Set(
    text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
  );
}

function pickProtocol(offered: Set<string>): string | undefined {
  if (offered.has(EXEC_PROTOCOL_V5)) return EXEC_PROTOCOL_V5;
  if (offered.has(EXEC_PROTOCOL_V4)) return EXEC_PROTOCOL_V4;
  return undefined;
}

/** A response written on an upgrade request's socket, then closed: how a refusal is told. */
function answerOn(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Parameters<ServerResponse["assignSocket"]>[0]);
  res.on("finish", () => {
    res.detachSocket(socket as Parameters<ServerResponse["detachSocket"]>[0]);
    socket.end();
  });
  return res;
}

function refuse(socket: Duplex, code: number, phrase: string, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${code} ${phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One upgraded exec: the process, its channels, the bounds, and the status at the end. */
class ExecSession {
  private process: ScriptedProcess | undefined;
  private finished = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly lifeTimer: NodeJS.Timeout;
  private readonly resizeDecoder = { pending: "" };
  private readonly v5: boolean;

  constructor(
    private readonly ws: WebSocket,
    private readonly protocol: string,
    private readonly exec: ExecRequest,
    private readonly limits: ExecLimits,
    private readonly kubeletRefusal: string | undefined,
    private readonly onGone: () => void,
  ) {
    this.v5 = protocol === EXEC_PROTOCOL_V5;
    this.lifeTimer = setTimeout(
      () => this.end(internalError(`session longer than ${limits.maxSessionMs / 1000} s`)),
      limits.maxSessionMs,
    );
    this.lifeTimer.unref();
    ws.on("close", () => this.gone());
    ws.on("error", () => this.gone());
    ws.on("message", (data, isBinary) => this.receive(data, isBinary));
  }

  start(): void {
    this.touch();
    // The server's first message, empty, on the lowest channel it writes: the client knows it is in.
    this.send(this.exec.stdout ? STDOUT : this.exec.stderr ? STDERR : ERROR, Buffer.alloc(0));
    if (this.kubeletRefusal !== undefined) {
      this.end(internalError(`unable to upgrade connection: ${this.kubeletRefusal}`));
      return;
    }
    const io: ProcessIo = {
      stdout: (text) => this.output(STDOUT, text),
      stderr: (text) => this.output(STDERR, text),
      exit: (code) =>
        this.end(
          code === 0
            ? { metadata: {}, status: "Success" }
            : exitStatus(code, this.protocol, this.exec.command),
        ),
    };
    try {
      this.process = startProcess(
        this.exec.command,
        {
          pod: record(this.exec.pod.metadata).name as string,
          namespace: (record(this.exec.pod.metadata).namespace as string | undefined) ?? "default",
          container: this.exec.container,
          env: literalEnv(this.exec.pod, this.exec.container),
          tty: this.exec.tty,
          stdin: this.exec.stdin,
          maxLineBytes: this.limits.maxLineBytes,
        },
        io,
      );
    } catch (error) {
      if (!(error instanceof StartFailure)) throw error;
      const id = randomBytes(32).toString("hex");
      const runtime = `error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: ${error.message}: unknown`;
      // v5 passes the kubelet's Status through client-go, which wraps its message once more.
      this.end(internalError(this.v5 ? `Internal error occurred: ${runtime}` : runtime));
    }
  }

  /** The server is going away: no status, just the socket. */
  terminate(): void {
    this.finished = true;
    this.ws.terminate();
    this.gone();
  }

  private receive(data: Buffer | ArrayBuffer | Buffer[], _isBinary: boolean): void {
    this.touch();
    if (this.finished) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (bytes.length === 0) return;
    const channel = bytes[0];
    const payload = bytes.subarray(1);
    switch (channel) {
      case STDIN:
        if (this.exec.stdin) this.process?.input(payload);
        return;
      case RESIZE:
        this.resize(payload);
        return;
      case CLOSE:
        // v5 only: the client has closed the channel named in the payload; for stdin that is EOF.
        if (this.v5 && payload[0] === STDIN && this.exec.stdin) this.process?.endInput();
        return;
      default:
        return; // channels the client may not write to are ignored, as wsstream ignores them
    }
  }

  /** Resize messages are a stream of JSON objects; a terminal size only matters on a tty. */
  private resize(payload: Buffer): void {
    this.resizeDecoder.pending += payload.toString("utf8");
    if (this.resizeDecoder.pending.length > this.limits.maxLineBytes) {
      this.resizeDecoder.pending = "";
      return;
    }
    try {
      const size = record(JSON.parse(this.resizeDecoder.pending));
      this.resizeDecoder.pending = "";
      const width = Number(size.Width);
      const height = Number(size.Height);
      if (Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) {
        this.process?.resize(Math.min(width, 65535), Math.min(height, 65535));
      }
    } catch {
      // An object split over messages waits for its rest.
    }
  }

  private output(channel: number, text: string): void {
    if (this.finished || text === "") return;
    if (this.ws.bufferedAmount > this.limits.maxUnreadBytes) {
      this.end(internalError("the client is not reading its output"));
      return;
    }
    this.send(channel, Buffer.from(text, "utf8"));
  }

  private send(channel: number, payload: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const frame = Buffer.allocUnsafe(payload.length + 1);
    frame[0] = channel;
    payload.copy(frame, 1);
    this.ws.send(frame, { binary: true });
  }

  /** The status on channel 3, then a close frame; the client closes once it has read everything. */
  private end(status: Status): void {
    if (this.finished) return;
    this.finished = true;
    this.send(ERROR, Buffer.from(JSON.stringify(status)));
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), CLOSE_WAIT_MS).unref();
    this.clearTimers();
  }

  private touch(): void {
    if (this.finished) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => this.end(internalError(`no input for ${this.limits.idleTimeoutMs / 1000} s`)),
      this.limits.idleTimeoutMs,
    );
    this.idleTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifeTimer);
  }

  private gone(): void {
    this.finished = true;
    this.clearTimers();
    this.process?.endInput();
    this.onGone();
  }
}
