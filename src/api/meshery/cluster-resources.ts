// getClusterResources and subscribeClusterResources: how many objects of each kind the named clusters
// hold, as Meshery's dashboard counted them: cluster-scoped objects (Namespaces among them) and those
// in the namespace asked for. Read from the counts the graph keeps (no object is read); the subscription
// sends them first, then again after objects come or go, at most once per interval.
import { type ChangeLog, changeEvaluations, type ResourceChange } from "../../graph/index.js";
import type { ApiContext } from "../context.js";
import { costOf } from "../cost.js";
import {
  type FanoutEvent,
  type ResumePoint,
  type Sequenced,
  type SequencedFeed,
  SharedSubscription,
} from "../fanout-source.js";
import { mesheryBuilder } from "./builder.js";
import { idsOf, selectClusters } from "./cluster-ids.js";
import { readSource } from "./source-iterator.js";

export interface KindCount {
  kind: string;
  count: number;
}

export interface ClusterResources {
  resources: KindCount[];
}

/** The least time between two sends of one subscription's counts: a relist moves thousands at once. */
export const countsEveryMs = 1000;
const maxNamespaces = 100;

/** What counts are taken over: these clusters, and these namespaces (all when undefined) with cluster-scoped objects. */
export interface CountScope {
  clusterIds: readonly string[];
  namespaces: readonly string[] | undefined;
}

export async function countByKind(context: ApiContext, scope: CountScope): Promise<ClusterResources> {
  const inGraph = new Set(context.graph.clusters().map((cluster) => cluster.id));
  const clusterIds = scope.clusterIds.filter((id) => inGraph.has(id));
  if (clusterIds.length === 0) return { resources: [] };
  const namespaces = scope.namespaces === undefined ? undefined : [...scope.namespaces, ""];
  const counts = await context.graph.countInSlices({ clusterIds, namespaces }, "KIND");
  // Meshery counts by kind alone: one kind served at two versions (or by two clusters) is one row.
  const byKind = new Map<string, number>();
  for (const { kind, count } of counts) if (kind !== null) byKind.set(kind, (byKind.get(kind) ?? 0) + count);
  const resources = [...byKind].map(([kind, count]) => ({ kind, count }));
  resources.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return { resources };
}

interface ScopeArgs {
  connectionIDs?: readonly string[] | null | undefined;
  k8scontextIDs?: readonly string[] | null | undefined;
  kubernetesContextIDs?: readonly string[] | null | undefined;
  namespace?: string | null | undefined;
  namespaces?: readonly string[] | null | undefined;
}

/** Clusters named by any spelling; ids that name no cluster count nothing, as Meshery's query found no rows. */
function scopeOf(context: ApiContext, args: ScopeArgs): CountScope {
  const ids = idsOf(args.k8scontextIDs, args.kubernetesContextIDs, args.connectionIDs);
  const { clusters } = selectClusters(context, ids);
  const given = [
    ...(typeof args.namespace === "string" ? [args.namespace] : []),
    ...(args.namespaces ?? []),
  ].slice(0, maxNamespaces);
  const none = args.namespace === undefined || args.namespace === null;
  return {
    clusterIds: clusters.map((cluster) => cluster.id),
    namespaces: none && (args.namespaces === undefined || args.namespaces === null) ? undefined : given,
  };
}

/** One "the counts may have changed" of a subscription's own feed. */
interface CountsTick extends Sequenced {
  readonly sequence: number;
}

/**
 * Ticks after objects of the scope come or go, at most once per `everyMs` and never later than that
 * after the last one (a trailing tick), listening to the change log only while someone listens here.
 */
class CountsFeed implements SequencedFeed<CountsTick> {
  private last = 0;
  private readonly listeners = new Set<(tick: CountsTick) => void>();
  private stopListening: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: ChangeLog,
    private readonly scope: CountScope,
    private readonly everyMs: number,
  ) {}

  get sequence(): number {
    return this.last;
  }

  cursor(sequence = this.last): string {
    return String(sequence);
  }

  parseCursor(): number | undefined {
    return undefined;
  }

  changeAt(sequence: number): CountsTick | undefined {
    return sequence === this.last && sequence > 0 ? { sequence } : undefined;
  }

  subscribe(listener: (tick: CountsTick) => void): () => void {
    this.listeners.add(listener);
    if (this.stopListening === undefined) {
      this.stopListening = this.log.subscribe((change) => {
        if (this.moves(change)) this.schedule();
      });
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.stopListening?.();
      this.stopListening = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
    };
  }

  /** Whether the change can move a count of the scope: an object of it came or went. */
  private moves(change: ResourceChange): boolean {
    if (change.type === "MODIFIED") return false;
    const { clusterId, namespace } = change.resource;
    if (!this.scope.clusterIds.includes(clusterId)) return false;
    return (
      namespace === null || this.scope.namespaces === undefined || this.scope.namespaces.includes(namespace)
    );
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.firedAt + this.everyMs - Date.now());
    this.timer = setTimeout(() => this.fire(), wait);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.firedAt = Date.now();
    const tick = { sequence: ++this.last };
    for (const listener of this.listeners) {
      try {
        listener(tick);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

/** Each member gets the counts when it joins, then again after they may have changed; a slow one only the latest. */
class ClusterResourcesSubscription extends SharedSubscription<CountsTick> implements AsyncIterable<unknown> {
  readonly capacity = 16;
  readonly feed: CountsFeed;
  readonly evaluations: number;

  constructor(log: ChangeLog, scope: CountScope) {
    super();
    this.feed = new CountsFeed(log, scope, countsEveryMs);
    this.evaluations = changeEvaluations({ clusterIds: scope.clusterIds });
  }

  start(): ResumePoint {
    return { kind: "resync", at: this.feed.sequence };
  }

  project(tick: CountsTick): FanoutEvent {
    return { root: tick, key: "counts" };
  }

  catchUp(at: number): readonly CountsTick[] {
    return [{ sequence: at }];
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return readSource(this);
  }
}

const ResourceObject = mesheryBuilder.objectRef<KindCount>("Resource").implement({
  description: "How many objects of one kind there are.",
  fields: (t) => ({
    kind: t.exposeString("kind"),
    count: t.exposeInt("count"),
  }),
});

const ClusterResourcesObject = mesheryBuilder.objectRef<ClusterResources>("ClusterResources").implement({
  fields: (t) => ({
    resources: t.field({
      type: [ResourceObject],
      extensions: costOf({ size: 50 }),
      resolve: (parent) => parent.resources,
    }),
  }),
});

const scopeArgs = mesheryBuilder.args((t) => ({
  k8scontextIDs: t.stringList({
    description: 'The clusters (ids or context names); none or "all": every one.',
  }),
  kubernetesContextIDs: t.stringList({ description: "k8scontextIDs, as the first Meshery UIs named it." }),
  connectionIDs: t.stringList({ description: "k8scontextIDs, as later Meshery UIs named clusters." }),
  namespace: t.string({
    description:
      "Count the objects of this namespace, beside the cluster-scoped ones. Meshery declares it required; absent here means every namespace.",
  }),
  namespaces: t.stringList({ description: "Several namespaces, as one Meshery version asked." }),
}));

mesheryBuilder.queryType({});

mesheryBuilder.queryField("getClusterResources", (t) =>
  t.field({
    type: ClusterResourcesObject,
    description: "Objects per kind in the clusters: the cluster-scoped ones and those of the namespace.",
    args: scopeArgs,
    resolve: (_root, args, context) => countByKind(context, scopeOf(context, args)),
  }),
);

mesheryBuilder.subscriptionField("subscribeClusterResources", (t) =>
  t.field({
    type: ClusterResourcesObject,
    description: `getClusterResources now, then again after objects come or go (at most once every ${countsEveryMs} ms).`,
    args: scopeArgs,
    subscribe: (_root, args, context) =>
      new ClusterResourcesSubscription(context.graph.log, scopeOf(context, args)),
    resolve: (_tick, args, context) => countByKind(context, scopeOf(context, args)),
  }),
);
