// Assembles the simulator: store, watch hub, faults and the HTTP handler on a node:http server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ClusterControllers, startControllers } from "./controllers/index.js";
import { type Fault, FaultController } from "./faults.js";
import { type ExecLimits, ExecSessions } from "./http/exec.js";
import { createHandler } from "./http/handler.js";
import type { KubeObject } from "./object-api.js";
import {
  installCrdSupport,
  installNamespaceCascade,
  installWriteDefaults,
  ListSnapshots,
  loadObjects,
  NamespaceDefaults,
  ObjectStore,
} from "./store/index.js";
import { WatchHub } from "./watch.js";

export interface SimulatorServerOptions {
  historySize?: number;
  bookmarkIntervalMs?: number;
  watchTimeoutSeconds?: number;
  continueTtlMs?: number;
  logFollowIntervalMs?: number;
  faults?: Fault[];
  /** Bounds on pods/exec sessions (how many, how long, how much). */
  execLimits?: Partial<ExecLimits>;
  onRequest?: (method: string, path: string, status: number) => void;
}

export class SimulatorServer {
  readonly store: ObjectStore;
  readonly hub: WatchHub;
  readonly faults: FaultController;
  readonly snapshots: ListSnapshots;
  readonly http: Server;
  readonly exec: ExecSessions;
  private readonly namespaceDefaults: NamespaceDefaults;
  private controllers: ClusterControllers | undefined;

  constructor(options: SimulatorServerOptions = {}) {
    this.store = new ObjectStore(
      options.historySize !== undefined ? { historySize: options.historySize } : {},
    );
    installCrdSupport(this.store);
    installNamespaceCascade(this.store);
    installWriteDefaults(this.store);
    this.namespaceDefaults = new NamespaceDefaults(this.store);
    this.snapshots = new ListSnapshots(options.continueTtlMs);
    this.hub = new WatchHub(this.store, {
      ...(options.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
      ...(options.watchTimeoutSeconds !== undefined
        ? { defaultTimeoutSeconds: options.watchTimeoutSeconds }
        : {}),
    });
    this.faults = new FaultController(this.store, this.hub, this.snapshots);
    const handler = createHandler({
      store: this.store,
      hub: this.hub,
      snapshots: this.snapshots,
      faults: this.faults,
      logFollowIntervalMs: options.logFollowIntervalMs ?? 1000,
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    this.http = createServer({ keepAlive: true }, handler);
    // pods/exec is a WebSocket; every other upgrade request is answered as a plain request.
    this.exec = new ExecSessions(this.store, options.execLimits);
    this.http.on("upgrade", (req, socket, head) => this.exec.handleUpgrade(req, socket, head, handler));
    // A client that sends garbage gets a 400 from node:http; nothing here may take the process down.
    this.http.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    for (const fault of options.faults ?? []) this.faults.apply(fault);
  }

  /**
   * Loads objects (taking ownership) and makes sure the system namespaces exist, each with what
   * the controllers put in every namespace.
   */
  load(objects: KubeObject[]): void {
    loadObjects(this.store, objects);
    this.namespaceDefaults.flush();
  }

  /**
   * Starts the scheduler, kubelets and workload controllers for what clients create from now on;
   * what was loaded before keeps the state it was loaded with.
   */
  startControllers(): ClusterControllers {
    this.controllers ??= startControllers(this.store);
    return this.controllers;
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        const address = this.http.address() as AddressInfo;
        const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}`);
      });
    });
  }

  /** Ends every open stream so clients see a clean end, then stops listening. */
  close(): Promise<void> {
    this.namespaceDefaults.stop();
    this.controllers?.stop();
    this.hub.closeAll();
    // Upgraded sockets are no longer the HTTP server's to close.
    this.exec.closeAll();
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
