// subscribeMeshSyncEvents: every change to the named clusters' objects, as Meshery Server relayed
// MeshSync's NATS events to its UI, with the object as MeshSync's KubernetesResource. It is meshsync's
// own change stream (the change log, the fan-out's bounded queues, coalescing and RESYNC), only
// projected onto Meshery's shape: there is no second fan-out.
import {
  type ChangeType,
  changeEvaluations,
  type ResourceChange,
  toKubernetesResource,
} from "../../graph/index.js";
import { type ChangeEvent, ChangeSubscription } from "../change-stream.js";
import { costOf } from "../cost.js";
import { badInput } from "../errors.js";
import { type FanoutEvent, type ResumePoint, SharedSubscription } from "../fanout-source.js";
import { mesheryBuilder } from "./builder.js";
import { idsOf, knownClustersText, type NamedCluster, selectClusters } from "./cluster-ids.js";
import { MeshSyncEventTypeEnum } from "./common.js";
import { readSource } from "./source-iterator.js";

/** A change as one subscription sees it, with the id the client named its cluster by. */
export interface MeshSyncEventRoot {
  event: ChangeEvent;
  connectionID: string;
}

/** The change stream of some clusters, only the event types asked for, each event tagged with its cluster. */
export class MeshSyncEventSubscription
  extends SharedSubscription<ResourceChange>
  implements AsyncIterable<unknown>
{
  private readonly namedAs: ReadonlyMap<string, string>;

  constructor(
    private readonly changes: ChangeSubscription,
    clusters: readonly NamedCluster[],
    private readonly types: ReadonlySet<ChangeType> | undefined,
  ) {
    super();
    this.namedAs = new Map(clusters.map((cluster) => [cluster.id, cluster.namedAs]));
  }

  get feed() {
    return this.changes.feed;
  }

  get capacity(): number {
    return this.changes.capacity;
  }

  get evaluations(): number {
    return this.changes.evaluations;
  }

  start(): ResumePoint {
    return this.changes.start();
  }

  project(change: ResourceChange): FanoutEvent | undefined {
    const projected = this.changes.project(change);
    if (projected === undefined) return undefined;
    const event = projected.root as ChangeEvent;
    if (event.type !== "RESYNC" && this.types !== undefined && !this.types.has(event.type)) return undefined;
    return { root: this.rootOf(event), key: projected.key };
  }

  catchUp(at: number): readonly MeshSyncEventRoot[] {
    return this.changes.catchUp(at).map((event) => this.rootOf(event as ChangeEvent));
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return readSource(this);
  }

  private rootOf(event: ChangeEvent): MeshSyncEventRoot {
    const clusterId = event.resource?.clusterId;
    return {
      event,
      connectionID: clusterId === undefined ? "" : (this.namedAs.get(clusterId) ?? clusterId),
    };
  }
}

const MeshSyncEventObject = mesheryBuilder.objectRef<MeshSyncEventRoot>("MeshSyncEvent").implement({
  description:
    "One change MeshSync saw. RESYNC (the subscriber fell too far behind) carries an empty object: re-read the state (getClusterResources, or meshsync's own /graphql) and take the events after it.",
  fields: (t) => ({
    type: t.string({
      description: "ADDED, MODIFIED or DELETED (then `object` is the last known state); RESYNC.",
      resolve: (root) => root.event.type,
    }),
    object: t.field({
      type: "Any",
      description: "The object as MeshSync publishes it: a KubernetesResource.",
      extensions: costOf({ weight: 20 }),
      resolve: (root) => {
        const { resource, type } = root.event;
        if (resource === null || type === "RESYNC") return {};
        return toKubernetesResource(resource, { event: type });
      },
    }),
    connectionID: t.exposeString("connectionID", {
      description: "The cluster, as the subscription named it (its id or context name).",
    }),
    contextId: t.exposeString("connectionID", {
      description: "connectionID, as Meshery UIs before connections named it.",
    }),
    contextID: t.exposeString("connectionID", {
      description: "connectionID, as the first Meshery UIs with this subscription named it.",
    }),
  }),
});

mesheryBuilder.subscriptionType({});

mesheryBuilder.subscriptionField("subscribeMeshSyncEvents", (t) =>
  t.field({
    type: MeshSyncEventObject,
    description:
      'Every change to the objects of these clusters (by id or kubeconfig context name; none or "all": every cluster). ' +
      "k8scontextIDs and kubernetesContextIDs are older spellings of connectionIDs.",
    extensions: costOf({}),
    args: {
      connectionIDs: t.arg.stringList(),
      k8scontextIDs: t.arg.stringList(),
      kubernetesContextIDs: t.arg.stringList(),
      // Items nullable, so that the older documents that declared `[MeshSyncEventType]` still validate.
      eventTypes: t.arg({ type: [MeshSyncEventTypeEnum], required: { list: false, items: false } }),
    },
    subscribe: (_root, args, context) => {
      const ids = idsOf(args.connectionIDs, args.k8scontextIDs, args.kubernetesContextIDs);
      const { clusters, unknown } = selectClusters(context, ids);
      if (clusters.length === 0) {
        throw badInput(
          unknown.length > 0
            ? `no cluster this server syncs is named ${unknown.map((id) => JSON.stringify(id)).join(", ")}; known clusters: ${knownClustersText(context)}`
            : "this server syncs no cluster yet",
        );
      }
      const types = (args.eventTypes ?? []).filter((type): type is ChangeType => type !== null);
      const observer = context.subscriptionObserver;
      const clusterIds = new Set(clusters.map((cluster) => cluster.id));
      const changes = new ChangeSubscription(context.graph.log, {
        // By id alone: a cluster being connected has its id before the graph holds any of its objects.
        matches: (resource) => clusterIds.has(resource.clusterId),
        evaluations: changeEvaluations({ clusterIds: [...clusterIds] }),
        capacity: context.limits.subscriptionQueueSize,
        onOpen: () => observer?.opened(),
        onOverflow: () => observer?.overflowed(),
        onClose: () => observer?.closed(),
      });
      return new MeshSyncEventSubscription(
        changes,
        clusters,
        types.length === 0 ? undefined : new Set(types),
      );
    },
    resolve: (root) => root as MeshSyncEventRoot,
  }),
);
