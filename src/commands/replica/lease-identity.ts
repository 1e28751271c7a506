// Where a watcher's Lease lives and whom it names, when the flags leave it open: what client-go based
// controllers do in a pod (the downward API's POD_NAME and POD_NAMESPACE, else the service account's
// namespace), and outside one the kubeconfig context's namespace and a name no other replica has.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ElectionOptions } from "../../config/index.js";

const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

function podNamespaceFile(): string | undefined {
  try {
    const namespace = readFileSync(serviceAccountNamespaceFile, "utf8").trim();
    return namespace === "" ? undefined : namespace;
  } catch {
    return undefined;
  }
}

export function leaseNamespaceOf(
  election: ElectionOptions,
  contextNamespace: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  namespaceFile: () => string | undefined = podNamespaceFile,
): string {
  return (
    election.leaseNamespace ??
    (env.POD_NAMESPACE || undefined) ??
    namespaceFile() ??
    contextNamespace ??
    "default"
  );
}

/** Two replicas on one host (or two pods of one name, briefly, in a StatefulSet roll) must never share one. */
export function replicaIdentityOf(
  election: ElectionOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return (
    election?.identity ?? (env.POD_NAME || undefined) ?? `${hostname()}-${randomBytes(3).toString("hex")}`
  );
}
