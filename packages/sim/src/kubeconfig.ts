// A kubeconfig that points kubectl and client-node at the simulator (plain HTTP, no credentials).
// client-node refuses an http:// server unless insecure-skip-tls-verify is set, so it is.
import { stringify } from "yaml";

export function kubeconfigFor(url: string, contextName = "meshsync-sim"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: contextName, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: contextName, user: {} }],
    contexts: [
      { name: contextName, context: { cluster: contextName, user: contextName, namespace: "default" } },
    ],
    "current-context": contextName,
    preferences: {},
  });
}
