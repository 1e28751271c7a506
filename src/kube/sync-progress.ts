// How far the first sync has come, added up over every cluster and type: what the progress line, its
// log lines and /readyz show while meshsync is not ready. Counts only: nothing here names a server,
// a context or a type, so it may be shown to anyone who may see the probe.

export interface SyncProgress {
  /** Clusters being synced whose resource types are known (their first discovery has run). */
  clustersDiscovered: number;
  clustersTotal: number;
  /** Types whose first list has reached the sink. */
  typesSynced: number;
  /** Types the credentials may not list (403 before any list worked): readiness does not wait for them. */
  typesForbidden: number;
  typesTotal: number;
  /** Objects held, counting the pages that first lists still under way have brought so far. */
  objects: number;
}

/** One type's share: what its reflector says. */
export interface TypeProgress {
  synced: boolean;
  forbidden: boolean;
  objects: number;
}

/** One cluster's share: its types, once discovery has said which they are. */
export interface ClusterProgress {
  discovered: boolean;
  types: readonly TypeProgress[];
}

export function addUpProgress(clusters: readonly ClusterProgress[]): SyncProgress {
  const total: SyncProgress = {
    clustersDiscovered: 0,
    clustersTotal: clusters.length,
    typesSynced: 0,
    typesForbidden: 0,
    typesTotal: 0,
    objects: 0,
  };
  for (const cluster of clusters) {
    if (cluster.discovered) total.clustersDiscovered += 1;
    for (const type of cluster.types) {
      total.typesTotal += 1;
      if (type.synced) total.typesSynced += 1;
      else if (type.forbidden) total.typesForbidden += 1;
      total.objects += type.objects;
    }
  }
  return total;
}
