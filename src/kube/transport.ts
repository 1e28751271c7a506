// The connection side of one API server: one keep-alive agent for the life of the client, so
// requests reuse TLS connections instead of paying a handshake each, and credentials applied per
// request, so token files and exec plugins keep refreshing as client-node intends.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

// Idle pooled connections close after this; a connection in use is never cut by it. It also bounds
// the life of connections keyed by an exec plugin's client certificate once the plugin rotates it.
const IDLE_SOCKET_TIMEOUT_MS = 90_000;

/** TLS settings the kubeconfig gives; passed with each request, so the agent pools by them. */
const TLS_FIELDS = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;

type TlsOptions = Pick<https.RequestOptions, (typeof TLS_FIELDS)[number]>;

interface Fixed {
  agent: http.Agent;
  tls: TlsOptions;
  /** Headers that do not change between requests (impersonation), without Authorization. */
  headers: Record<string, string>;
  /** Basic auth, when the kubeconfig user has a username and password. */
  auth: string | undefined;
}

/** What client-node's KubeConfig does per request for credentials; private in its typings. */
type ApplyAuthorization = (options: https.RequestOptions) => Promise<void>;

export class ClusterTransport {
  private fixed: Promise<Fixed> | undefined;
  private readonly applyAuthorization: ApplyAuthorization;

  constructor(private readonly kubeConfig: KubeConfig) {
    this.applyAuthorization = authorizationOf(kubeConfig);
  }

  /** Options for one request: the shared agent, TLS, and credentials fresh from the kubeconfig. */
  async requestOptions(): Promise<https.RequestOptions> {
    const fixed = await this.fixedOptions();
    const options: https.RequestOptions = { ...fixed.tls, agent: fixed.agent, headers: { ...fixed.headers } };
    if (fixed.auth !== undefined) options.auth = fixed.auth;
    await this.applyAuthorization(options);
    return options;
  }

  private fixedOptions(): Promise<Fixed> {
    if (!this.fixed) {
      this.fixed = this.readFixed();
      // A failure (an exec plugin that is not ready yet) must not stick: the next request tries again.
      this.fixed.catch(() => {
        this.fixed = undefined;
      });
    }
    return this.fixed;
  }

  private async readFixed(): Promise<Fixed> {
    const options: https.RequestOptions = { headers: {} };
    // client-node's own path, once: it checks the cluster (e.g. refuses plain HTTP that is not
    // marked insecure) and gathers TLS files, impersonation and basic auth.
    await this.kubeConfig.applyToHTTPSOptions(options);
    const tls: TlsOptions = {};
    for (const field of TLS_FIELDS) {
      if (options[field] !== undefined) Object.assign(tls, { [field]: options[field] });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (name.toLowerCase() !== "authorization" && typeof value === "string") headers[name] = value;
    }
    return { agent: this.agentFor(options.agent), tls, headers, auth: options.auth ?? undefined };
  }

  private agentFor(built: http.RequestOptions["agent"]): http.Agent {
    const cluster = this.kubeConfig.getCurrentCluster();
    // A proxy needs client-node's proxy agent; keep the one it built rather than one per request.
    if (cluster?.proxyUrl && built instanceof http.Agent) return built;
    const options = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS };
    return cluster?.server.startsWith("http:") ? new http.Agent(options) : new https.Agent(options);
  }
}

function authorizationOf(kubeConfig: KubeConfig): ApplyAuthorization {
  const own = (kubeConfig as unknown as { applyAuthorizationHeader?: unknown }).applyAuthorizationHeader;
  if (typeof own === "function") {
    return (options) => (own as ApplyAuthorization).call(kubeConfig, options);
  }
  // Should a client-node release drop that method, take the credentials from its public path (it
  // builds an agent we then ignore).
  return async (options) => {
    const scratch: https.RequestOptions = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(scratch);
    const headers = scratch.headers;
    const authorization =
      headers && !Array.isArray(headers) ? (headers as http.OutgoingHttpHeaders).Authorization : undefined;
    if (typeof authorization === "string")
      options.headers = { ...options.headers, Authorization: authorization };
    if (scratch.cert !== undefined) options.cert = scratch.cert;
    if (scratch.key !== undefined) options.key = scratch.key;
  };
}
