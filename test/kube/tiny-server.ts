// A scripted HTTP server for tests that need an API server to misbehave in ways the simulator does not.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => void;

export interface TinyServer {
  url: string;
  requests: { path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders }[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTinyServer(handler: Handler): Promise<TinyServer> {
  const requests: TinyServer["requests"] = [];
  let connections = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push({ path: url.pathname, query: url.searchParams, headers: request.headers });
    handler(request, response, url);
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/** A kubeconfig whose only context points at `server`, authenticating with a bearer token. */
export function kubeconfigFor(server: string, contextName = "tiny", token = "secret-token"): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: contextName, cluster: { server } }],
    users: [{ name: contextName, user: { token } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    "current-context": contextName,
  });
}
