// One cluster as health reports show it (GraphQL, /readyz, metrics): whether it answers, since
// when, why not, when it last did, and whether its first sync is done. A context that has never
// reached a cluster has no id yet and is reported by name.
import type { ClusterSyncState } from "./cluster-sync.js";

export interface ClusterHealth {
  /** kube-system's uid; undefined for a context that has never answered. */
  id: string | undefined;
  /** The kubeconfig context the cluster is reached through. */
  name: string;
  reachable: boolean;
  /** When `reachable` took its current value (ISO 8601). */
  since: string;
  lastError: string | undefined;
  /** When the API server last answered anything (ISO 8601). */
  lastContact: string | undefined;
  /** Discovery has run and every watched type has finished its first list. */
  synced: boolean;
  /** The API server's gitVersion (GET /version); undefined until read. */
  serverVersion?: string | undefined;
}

export function clusterHealthOf(state: ClusterSyncState): ClusterHealth {
  return {
    id: state.cluster.id,
    name: state.cluster.name,
    reachable: state.contact.reachable,
    since: state.contact.since,
    lastError: state.contact.lastError,
    lastContact: state.contact.lastContact,
    synced: state.ready,
    serverVersion: state.contact.serverVersion,
  };
}
