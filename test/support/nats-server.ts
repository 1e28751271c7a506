// A real nats-server (Debian's package) on a free loopback port, for the tests of the NATS output. It
// can be stopped and started again on the same port, which is how the tests make NATS go away.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { kubernetesResourceKeys, omittedWhenEmpty } from "./kubernetes-resource-keys.js";

const candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

/** Where nats-server is installed, or undefined when it is not (the tests that need it then skip). */
export const natsServerPath: string | undefined = candidates.find((path) => existsSync(path));

/** Why the NATS tests skip, for the describe title. */
export const natsServerMissing =
  natsServerPath === undefined
    ? `nats-server is not installed (apt-get install nats-server): skipping`
    : undefined;

export interface NatsServerOptions {
  /** The largest message the server accepts (max_payload); its default is 1 MiB. */
  maxPayload?: number;
  /**
   * JetStream on, with file storage in the server's own directory: a stop and a restart on the same
   * port keep the streams and their messages.
   */
  jetstream?: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class NatsServer {
  private child: ChildProcess | undefined;
  private log = "";
  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly configFile: string,
  ) {}

  /** Starts a server on a free port of 127.0.0.1; resolves once it accepts connections. */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    if (natsServerPath === undefined) throw new Error("nats-server is not installed");
    const directory = mkdtempSync(join(tmpdir(), "meshsync-nats-"));
    const configFile = join(directory, "nats.conf");
    const lines = [`host: "127.0.0.1"`];
    if (options.maxPayload !== undefined) lines.push(`max_payload: ${options.maxPayload}`);
    if (options.jetstream === true)
      lines.push(`jetstream { store_dir: ${JSON.stringify(join(directory, "jetstream"))} }`);
    writeFileSync(configFile, `${lines.join("\n")}\n`);
    const server = new NatsServer(await freePort(), directory, configFile);
    await server.restart();
    return server;
  }

  /** nats://127.0.0.1:PORT */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** What the server has logged, for failure messages. */
  output(): string {
    return this.log;
  }

  /** Starts the server (again) on its port; resolves once it accepts connections. */
  async restart(timeoutMs = 10_000): Promise<void> {
    if (this.child !== undefined) return;
    const child = spawn(
      natsServerPath!,
      ["-c", this.configFile, "-a", "127.0.0.1", "-p", String(this.port)],
      {
        cwd: this.directory,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    const record = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    child.once("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.child !== child) throw new Error(`nats-server exited at start:\n${this.log}`);
      if (await accepts(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `nats-server did not accept connections on ${this.port} within ${timeoutMs} ms:\n${this.log}`,
    );
  }

  /** Stops the server: SIGKILL by default, as a crash; resolves once the process has exited. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
    this.child = undefined;
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A NATS client that records every message on some subjects, parsed as JSON, as a consumer would see them. */
export class NatsRecorder {
  readonly messages: { subject: string; text: string; json: unknown }[] = [];
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string, subjects: readonly string[]): Promise<NatsRecorder> {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const recorder = new NatsRecorder(nc);
    for (const subject of subjects) recorder.listen(subject);
    await nc.flush();
    return recorder;
  }

  get connection(): NatsConnection {
    return this.nc;
  }

  listen(subject: string): void {
    this.nc.subscribe(subject, {
      callback: (_error, msg) => {
        const text = msg.string();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        this.messages.push({ subject: msg.subject, text, json });
      },
    });
  }

  on(subject: string): { subject: string; text: string; json: unknown }[] {
    return this.messages.filter((message) => message.subject === subject);
  }

  /** Publishes a request as Meshery Server does: meshkit's broker.Message with only Request set. */
  request(entity: string, payload: unknown = null): void {
    this.nc.publish(
      "meshery.meshsync.request",
      JSON.stringify({
        ObjectType: "",
        EventType: "",
        Request: { Entity: entity, Payload: payload },
        Object: null,
      }),
    );
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => {});
  }
}

/**
 * A loopback TCP relay to a server, which a test can cut and restore: the client behind it loses NATS
 * (its connections reset, new ones refused) while other clients of the same server stay connected.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  static async start(targetPort: number, open = true): Promise<TcpRelay> {
    const relay = new TcpRelay(await freePort(), targetPort);
    if (open) await relay.restore();
    return relay;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Accepts connections again and relays them. */
  async restore(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((client) => {
      const upstream = tcpConnect({ host: "127.0.0.1", port: this.targetPort });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  /**
   * Stops relaying what the server sends on the connections open now, as when its replies are lost:
   * what the client sends still reaches the server. cut() and restore() end it.
   */
  holdReplies(): void {
    for (const socket of this.sockets) if (socket.remotePort === this.targetPort) socket.unpipe();
  }

  /** Resets every relayed connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

interface WireResource {
  kind: string;
  metadata: { uid: string; resourceVersion: string; name: string; namespace: string };
}

/**
 * A consumer that does what Meshery Server does with MeshSync's messages (models/meshsync_events.go):
 * it asks for the informer store at start, upserts what the store and ADDED/MODIFIED bring, removes
 * what DELETED names; and, as a consumer that must not lose changes, asks for the store again on
 * RESYNC and after its own reconnect. Every message's shape is checked against the contract.
 */
export class MesheryConsumer {
  /** `${kind}/${uid}` → resourceVersion held. */
  readonly objects = new Map<string, number>();
  /** `${kind}/${uid}` → resourceVersion of its deletion, so a replayed older state cannot bring it back. */
  readonly deleted = new Map<string, number>();
  readonly problems: string[] = [];
  changes = 0;
  storeObjects = 0;
  resyncs = 0;
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<MesheryConsumer> {
    const nc = await connect({
      servers: url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      waitOnFirstConnect: true,
    });
    const consumer = new MesheryConsumer(nc);
    nc.subscribe("meshery.meshsync.core", { callback: (_e, msg) => consumer.onChange(msg.string()) });
    nc.subscribe("meshery-server.meshsync.store", { callback: (_e, msg) => consumer.onStore(msg.string()) });
    void (async () => {
      for await (const status of nc.status()) if (status.type === "reconnect") consumer.requestStore();
    })();
    await nc.flush();
    return consumer;
  }

  requestStore(): void {
    this.nc.publish(
      "meshery.meshsync.request",
      JSON.stringify({
        ObjectType: "",
        EventType: "",
        Request: { Entity: "informer-store", Payload: { Reply: "meshery-server.meshsync.store" } },
        Object: null,
      }),
    );
  }

  private check(text: string, objectType: string): { EventType: string; Object: unknown } | undefined {
    const prefix = `{"ObjectType":"${objectType}","EventType":`;
    if (!text.startsWith(prefix)) {
      this.problems.push(`bad envelope: ${text.slice(0, 120)}`);
      return undefined;
    }
    const message = JSON.parse(text) as Record<string, unknown>;
    if (Object.keys(message).join() !== "ObjectType,EventType,Request,Object" || message.Request !== null)
      this.problems.push(`bad envelope keys: ${text.slice(0, 120)}`);
    return message as { EventType: string; Object: unknown };
  }

  private checkResource(object: unknown): WireResource | undefined {
    const keys = typeof object === "object" && object !== null ? Object.keys(object) : [];
    // pkg/model's KubernetesResource: declaration order, spec, status and the secondary fields omitempty.
    const expected = kubernetesResourceKeys.filter((key) => keys.includes(key) || !omittedWhenEmpty.has(key));
    if (keys.join() !== expected.join()) {
      this.problems.push(`KubernetesResource keys: ${keys.join()}`);
      return undefined;
    }
    return object as WireResource;
  }

  private apply(resource: WireResource, gone: boolean): void {
    const key = `${resource.kind}/${resource.metadata.uid}`;
    const rv = Number(resource.metadata.resourceVersion);
    const known = Math.max(this.objects.get(key) ?? 0, this.deleted.get(key) ?? 0);
    if (rv < known) return;
    if (gone) {
      this.objects.delete(key);
      this.deleted.set(key, rv);
    } else this.objects.set(key, rv);
  }

  private onChange(text: string): void {
    const message = this.check(text, "meshsync-data");
    if (message === undefined) return;
    if (message.EventType === "RESYNC") {
      this.resyncs++;
      this.objects.clear();
      this.requestStore();
      return;
    }
    if (!["ADDED", "MODIFIED", "DELETED"].includes(message.EventType))
      this.problems.push(`event type ${message.EventType}`);
    const resource = this.checkResource(message.Object);
    if (resource === undefined) return;
    this.changes++;
    this.apply(resource, message.EventType === "DELETED");
  }

  private onStore(text: string): void {
    const message = this.check(text, "");
    if (message === undefined) return;
    if (!Array.isArray(message.Object)) {
      this.problems.push("store batch without an array");
      return;
    }
    for (const object of message.Object) {
      const resource = this.checkResource(object);
      if (resource === undefined) continue;
      this.storeObjects++;
      this.apply(resource, false);
    }
  }

  /** Held objects of one kind: uid → resourceVersion. */
  ofKind(kind: string): Map<string, number> {
    const held = new Map<string, number>();
    for (const [key, rv] of this.objects)
      if (key.startsWith(`${kind}/`)) held.set(key.slice(kind.length + 1), rv);
    return held;
  }

  deletedOfKind(kind: string, uid: string): number {
    return this.deleted.get(`${kind}/${uid}`) ?? 0;
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => {});
  }
}
