// The Kubernetes API simulator: an HTTP server that kubectl and client-node cannot tell from a real
// kube-apiserver for what meshsync uses. Imports nothing from the rest of meshsync.
//
// What it serves: /version, /healthz, /livez, /readyz; discovery (/api, /apis, each group and
// version, and the aggregated v2 document); every verb on every catalog type and on the types
// CRDs add (get, list, watch, create, update, JSON merge / JSON / strategic merge / apply patch,
// delete, deletecollection, dryRun); status, scale, log, token, eviction and binding
// subresources; Table output for kubectl; label and field selectors; list resourceVersion
// semantics with limit/continue over consistent snapshots; watches with bookmarks, timeouts,
// sendInitialEvents and 410 Expired past a bounded history; garbage collection by
// ownerReferences; finalizers; namespace deletion; metadata.managedFields kept per manager as the
// real server keeps them; a new namespace's default ServiceAccount and root CA ConfigMap; core and
// events.k8s.io Events as one storage; a scheduler and kubelets that bind and start the pods
// clients create, and deployment and ReplicaSet controllers for the Deployments they create
// (controllers/); and fault injection (see faults.ts, also at
// POST /sim/faults); an OpenAPI v3 index (operations only, no schemas) so kubectl leaves field
// validation to the server. Request bodies are JSON, YAML, or the protobuf kubectl's typed create sends
// for namespaces, configmaps, secrets, service accounts and the auth reviews.
import type { RunningChurn } from "./churn.js";
import type { Fault, FaultResult } from "./faults.js";
import { kubeconfigFor } from "./kubeconfig.js";
import type { KubeObject, ObjectApi } from "./object-api.js";
import { generateScenario } from "./scenarios/index.js";
import { SimulatorServer } from "./server.js";

export { builtinResourceTypes, type SimResourceType } from "./catalog.js";
export { type Fault, type FaultResult, parseFaults } from "./faults.js";
export { kubeconfigFor } from "./kubeconfig.js";
export type { KubeObject, ObjectApi } from "./object-api.js";
export { generateScenario, ScenarioError, scenarioNames } from "./scenarios/index.js";

export interface SimulatorOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (a free port)
  /** Scenario name or a file; default "demo"; "empty" holds only the system namespaces. */
  scenario?: string;
  seed?: number; // default 1
  churn?: number; // changes per second; default 0
  /** More objects to load after the scenario's. */
  objects?: KubeObject[];
  /** Changes retained for watch resume; older resourceVersions get 410 Expired. Default 50,000. */
  historySize?: number;
  /** How often an open watch with allowWatchBookmarks gets a BOOKMARK. Default 60 s. */
  bookmarkIntervalMs?: number;
  /** Watches without timeoutSeconds end after 1-2x this, as the real server's. Default 1800. */
  watchTimeoutSeconds?: number;
  /** How long a paginated list's continue token stays valid. Default 5 minutes. */
  continueTtlMs?: number;
  /** How often `logs -f` gets a new line. Default 1 s. */
  logFollowIntervalMs?: number;
  /** Faults in force from the start (see faults.ts). */
  faults?: Fault[];
  /**
   * Run the cluster's scheduler, kubelets and workload controllers for what clients create (pods
   * get a node and start; Deployments get ReplicaSets and pods). Default true; false leaves the API
   * server alone, as envtest runs it.
   */
  controllers?: boolean;
  /** Context (and cluster and user) name in the kubeconfig. Default "meshsync-sim". */
  contextName?: string;
  /** Called for every answered request. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:43211 */
  readonly url: string;
  /** A kubeconfig (YAML text) that points kubectl and client-node at this server. */
  kubeconfig(): string;
  close(): Promise<void>;
  /** Direct reads and writes, through the same path as the HTTP verbs (same resourceVersions, same watch events). */
  readonly api: ObjectApi;
  /** The newest resourceVersion handed out. */
  resourceVersion(): number;
  /** Injects a fault, exactly as POST /sim/faults does. */
  fault(fault: Fault): FaultResult;
  /** Open watch streams right now. */
  openWatches(): number;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const server = new SimulatorServer(options);
  const scenario = options.scenario ?? "demo";
  const seed = options.seed ?? 1;
  server.load([
    ...(scenario === "empty" ? [] : generateScenario(scenario, seed)),
    ...(options.objects ?? []),
  ]);
  const controllers = options.controllers === false ? undefined : server.startControllers();
  const url = await server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  let churn: RunningChurn | undefined;
  if (options.churn && options.churn > 0) {
    // Loaded only when asked for, so a simulator without churn never depends on it.
    const { startChurn } = await import("./churn.js");
    churn = startChurn(
      server.store,
      options.churn,
      seed,
      controllers ? { leaveAlone: controllers.manages } : {},
    );
  }
  return {
    url,
    kubeconfig: () => kubeconfigFor(url, options.contextName),
    async close() {
      churn?.stop();
      await server.close();
    },
    api: server.store,
    resourceVersion: () => server.store.resourceVersion,
    fault: (fault) => server.faults.apply(fault),
    openWatches: () => server.hub.openCount,
  };
}
