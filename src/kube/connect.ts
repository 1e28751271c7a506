// From a kubeconfig (a file, the default search, some text, or the pod's service account) to one
// connection per chosen context, each knowing its cluster id: the uid of kube-system, as MeshSync
// names clusters, so the id survives renamed contexts and differs between clusters.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { errorText, isRecord } from "./errors.js";
import { KubeHttpClient, type KubeHttpClientOptions, type KubeRequester } from "./http-client.js";
import type { ClusterRef } from "./types.js";

export interface KubeConfigSource {
  /** A kubeconfig file; without it (and without yaml), KUBECONFIG then ~/.kube/config. */
  kubeconfigPath?: string;
  /** kubeconfig text, e.g. the one an embedded simulator hands out. */
  kubeconfigYaml?: string;
  /** Use the pod's service account even when a kubeconfig exists. */
  inCluster?: boolean;
}

export interface ConnectOptions extends KubeConfigSource, KubeHttpClientOptions {
  /** Contexts to connect to; default the current one. */
  contexts?: string[];
  allContexts?: boolean;
}

export interface ClusterConnection {
  readonly ref: ClusterRef;
  readonly context: string;
  readonly client: KubeRequester;
}

export type KubeConfigLocation =
  | { kind: "file"; path: string }
  | { kind: "yaml" }
  | { kind: "in-cluster" }
  | { kind: "none" };

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** Where a kubeconfig would come from, so a caller can fall back (e.g. to a simulator) when nowhere. */
export function locateKubeConfig(source: KubeConfigSource = {}): KubeConfigLocation {
  if (source.kubeconfigYaml !== undefined) return { kind: "yaml" };
  if (source.inCluster) return { kind: "in-cluster" };
  if (source.kubeconfigPath) return { kind: "file", path: source.kubeconfigPath };
  const fromEnv = (process.env.KUBECONFIG ?? "").split(path.delimiter).find((file) => file !== "");
  if (fromEnv) return { kind: "file", path: fromEnv };
  const home = path.join(os.homedir(), ".kube", "config");
  if (fs.existsSync(home)) return { kind: "file", path: home };
  if (isInPod()) return { kind: "in-cluster" };
  return { kind: "none" };
}

export function isInPod(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && fs.existsSync(SERVICE_ACCOUNT_TOKEN);
}

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  const location = locateKubeConfig(source);
  switch (location.kind) {
    case "yaml":
      kubeConfig.loadFromString(source.kubeconfigYaml ?? "");
      break;
    case "in-cluster":
      kubeConfig.loadFromCluster();
      break;
    case "file":
      try {
        if (source.kubeconfigPath) kubeConfig.loadFromFile(source.kubeconfigPath);
        else kubeConfig.loadFromDefault(); // merges every file KUBECONFIG lists
      } catch (error) {
        throw new Error(`cannot load kubeconfig ${location.path}: ${errorText(error)}`);
      }
      break;
    case "none":
      throw new Error("no kubeconfig found (checked --kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster)");
  }
  return kubeConfig;
}

/** Context names to connect to, checked against the kubeconfig so a typo fails clearly. */
export function chooseContexts(
  kubeConfig: KubeConfig,
  options: Pick<ConnectOptions, "contexts" | "allContexts">,
): string[] {
  const known = kubeConfig.getContexts().map((context) => context.name);
  if (options.allContexts) return known;
  const wanted = options.contexts?.length ? options.contexts : [kubeConfig.getCurrentContext()];
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new Error(`kubeconfig has no context "${name}" (known: ${known.join(", ") || "none"})`);
    }
  }
  return [...new Set(wanted)];
}

/**
 * A KubeConfig of its own per context, so clusters connected at once never share a "current" one.
 * Plain-HTTP servers (the simulator, kubectl proxy) have no TLS to verify, but client-node refuses
 * them unless verification is marked skipped; mark it.
 */
export function kubeConfigForContext(base: KubeConfig, context: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: base
      .getClusters()
      .map((cluster) =>
        cluster.server.startsWith("http:") && !cluster.skipTLSVerify
          ? { ...cluster, skipTLSVerify: true }
          : cluster,
      ),
    users: base.getUsers(),
    contexts: base.getContexts(),
    currentContext: context,
  });
  return copy;
}

export async function clusterIdOf(client: KubeRequester, signal?: AbortSignal): Promise<string> {
  const namespace = await client.getJson("/api/v1/namespaces/kube-system", {}, signal);
  const metadata = isRecord(namespace) && isRecord(namespace.metadata) ? namespace.metadata : undefined;
  const uid = metadata?.uid;
  if (typeof uid !== "string" || uid === "") {
    throw new Error(`${client.server}: kube-system namespace has no uid; cannot name this cluster`);
  }
  return uid;
}

/**
 * The cluster's current resourceVersion, read as the smallest consistent list there is; undefined
 * when it cannot be read (the caller only uses it to notice a cluster that went back in time).
 */
export async function currentResourceVersionOf(
  client: KubeRequester,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const list = await client.getJson("/api/v1/namespaces", { limit: 1 }, signal);
    const metadata = isRecord(list) && isRecord(list.metadata) ? list.metadata : undefined;
    return typeof metadata?.resourceVersion === "string" ? metadata.resourceVersion : undefined;
  } catch {
    return undefined;
  }
}

export async function connectCluster(
  base: KubeConfig,
  context: string,
  options: KubeHttpClientOptions = {},
  signal?: AbortSignal,
): Promise<ClusterConnection> {
  const client = new KubeHttpClient(kubeConfigForContext(base, context), options);
  const id = await clusterIdOf(client, signal).catch((error: unknown) => {
    throw new Error(`context "${context}" (${client.server}): ${errorText(error)}`);
  });
  return { ref: { id, name: context }, context, client };
}

/** Connects to every chosen context; fails naming the context that could not be reached. */
export async function connectClusters(
  options: ConnectOptions = {},
  signal?: AbortSignal,
): Promise<ClusterConnection[]> {
  const base = loadKubeConfig(options);
  const contexts = chooseContexts(base, options);
  const connections = await Promise.all(
    contexts.map((context) => connectCluster(base, context, options, signal)),
  );
  const seen = new Map<string, string>();
  for (const connection of connections) {
    const other = seen.get(connection.ref.id);
    if (other !== undefined) {
      throw new Error(
        `contexts "${other}" and "${connection.context}" point at the same cluster (${connection.ref.id})`,
      );
    }
    seen.set(connection.ref.id, connection.context);
  }
  return connections;
}
