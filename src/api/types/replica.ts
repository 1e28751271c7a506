import { builder } from "../builder.js";
import type { ReplicaLag, ReplicaStatus } from "../replica-status.js";

const ReplicaRoleEnum = builder.enumType("ReplicaRole", {
  description: "A replica's part in a deployment replicated over NATS JetStream.",
  values: {
    SINGLE: { value: "single", description: "Watches its clusters and serves them; no replication." },
    LEADER: {
      value: "leader",
      description: "Holds the Lease (or runs alone): watches and publishes its cluster's stream.",
    },
    STANDBY: {
      value: "standby",
      description: "Waits for the Lease; meanwhile serves the graph built from the leader's stream.",
    },
    GATEWAY: {
      value: "gateway",
      description: "Watches nothing: serves the graph built from the clusters' streams.",
    },
  } as const,
});

const ReplicaLagObject = builder.objectRef<ReplicaLag>("ReplicaLag").implement({
  description:
    "How far a following replica is behind its stream, as of its last look (at most a second ago).",
  fields: (t) => ({
    changes: t.exposeInt("changes", { description: "Changes in the stream not applied yet." }),
    seconds: t.exposeFloat("seconds", {
      description: "How much older the last applied change is than the stream's newest.",
    }),
  }),
});

const ReplicaObject = builder.objectRef<ReplicaStatus>("Replica").implement({
  description:
    "This server's part in a replicated deployment. Every replica that follows one cluster's stream hands out that stream's cursors, so a subscription resumes on any of them.",
  fields: (t) => ({
    role: t.field({ type: ReplicaRoleEnum, resolve: (r) => r.role }),
    identity: t.string({
      nullable: true,
      description: "This replica's Lease holder identity; null when it does not take part in an election.",
      resolve: (r) => r.identity ?? null,
    }),
    leader: t.string({
      nullable: true,
      description: "Who holds the Lease, as last seen; null when no one does, or when not electing.",
      resolve: (r) => r.leader ?? null,
    }),
    leaseTransitions: t.int({
      nullable: true,
      description: "How many times the Lease has changed hands (its leaseTransitions), as last seen.",
      resolve: (r) => r.leaseTransitions ?? null,
    }),
    leadingSince: t.string({
      nullable: true,
      description: "When this replica became leader (ISO 8601); null unless it leads.",
      resolve: (r) => r.leadingSince ?? null,
    }),
    streams: t.stringList({
      description: "The JetStream change streams this replica writes (leader) or follows (standby, gateway).",
      resolve: (r) => [...r.streams],
    }),
    lag: t.field({
      type: ReplicaLagObject,
      nullable: true,
      description: "How far behind its streams this replica is; null for one that does not follow a stream.",
      resolve: (r) => r.lag ?? null,
    }),
  }),
});

builder.queryField("replica", (t) =>
  t.field({
    type: ReplicaObject,
    description: "This server's role in a replicated deployment (leader, standby, gateway) or SINGLE.",
    resolve: (_root, _args, context) => context.replica(),
  }),
);
