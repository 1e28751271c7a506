// MeshSync's health server: /healthz and /readyz on a port of their own (11000), where Meshery's
// probes of the Go MeshSync look. It answers as the Go one does (plain "ok" / "not ready"), and
// nothing else, so it can listen wherever the probes need it without exposing the graph.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  ready: () => boolean;
}

/** A probe sends a request line and a few headers; anything slower or larger is not a probe. */
const requestTimeoutMs = 5_000;
const maxHeaderBytes = 8 * 1024;

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer({ maxHeaderSize: maxHeaderBytes }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const answer = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return answer(405, "method not allowed");
    if (path === "/healthz") return answer(200, "ok");
    if (path === "/readyz") return options.ready() ? answer(200, "ok") : answer(503, "not ready");
    return answer(404, "not found");
  });
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
