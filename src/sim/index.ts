// The Kubernetes API simulator: an HTTP server that kubectl and client-node cannot tell from a real
// kube-apiserver for what meshsync uses. Imports nothing from the rest of meshsync.
export interface SimulatorOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (a free port)
  scenario?: string; // scenario name or a file; default "demo"
  seed?: number; // default 1
  churn?: number; // changes per second; default 0
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:43211 */
  readonly url: string;
  /** A kubeconfig (YAML text) that points kubectl and client-node at this server. */
  kubeconfig(): string;
  close(): Promise<void>;
}
