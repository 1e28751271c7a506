// The operations GraphiQL opens on, one tab each: what a first visitor can run at once to see what
// meshsync answers. test/server/graphiql-examples.test.ts validates them against the schema and runs
// them through the server's limits, so a schema change that breaks one fails there.

export interface ExampleTab {
  /** GraphiQL names a tab after its first operation; the name a visitor sees and the tests look for. */
  title: string;
  query: string;
  /** JSON text for GraphiQL's variables pane. */
  variables: string;
}

export const workloadsExample: ExampleTab = {
  title: "Workloads",
  query: `# The Deployments and Pods of one namespace, as last reported.
# Run it with the play button (or Ctrl-Enter); the namespace is in
# the variables pane below. \`sequence\` is where in meshsync's change
# log this page was read: FollowChanges resumes from it, so that no
# change after this page is missed.
query Workloads($namespace: String! = "default") {
  resources(filter: { kinds: ["Deployment", "Pod"], namespaces: [$namespace] }, first: 20) {
    totalCount
    sequence
    edges {
      node {
        kind
        namespace
        name
        status
      }
    }
  }
}
`,
  variables: `{
  "namespace": "default"
}
`,
};

export const labelSelectorExample: ExampleTab = {
  title: "ByLabel",
  query: `# Every object, in every namespace, whose labels match a selector
# in kubectl's -l syntax: app=web, app in (a, b), tier notin (db),
# !canary. Narrow it with \`kinds\` or \`namespaces\` in the filter, or
# with \`fieldSelector\` on the fields a kind can be selected on.
query ByLabel($selector: String! = "app in (frontend, payments-api, grafana, blog)") {
  resources(filter: { labelSelector: $selector }, first: 50) {
    totalCount
    edges {
      node {
        kind
        namespace
        name
        labels
      }
    }
  }
}
`,
  variables: `{
  "selector": "app in (frontend, payments-api, grafana, blog)"
}
`,
};

export const topologyExample: ExampleTab = {
  title: "Topology",
  query: `# What a Deployment is made of and what it touches: its
# ReplicaSets and their Pods (owns), each Pod's Node (runs-on), the
# Services that select it and what it mounts. Query.relationTypes
# lists every relation; for a drawing of the whole neighbourhood in
# one call, pass the Deployment's id to neighbourhood(id:, hops: 2).
query Topology($namespace: String! = "default", $name: String! = "podinfo") {
  resources(filter: { kinds: ["Deployment"], namespaces: [$namespace], names: [$name] }, first: 1) {
    edges {
      node {
        id
        name
        relations(direction: OUT, types: ["owns"], first: 10) {
          resource {
            kind
            name
            relations(direction: OUT, types: ["owns"], first: 20) {
              resource {
                kind
                name
                relations(types: ["runs-on", "selects", "mounts"], first: 20) {
                  type
                  direction
                  resource {
                    kind
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
`,
  variables: `{
  "namespace": "default",
  "name": "podinfo"
}
`,
};

export const syncStatusExample: ExampleTab = {
  title: "SyncStatus",
  query: `# How each cluster answers, and how far each watched type synced.
# A cluster that stops answering keeps its last known state in the
# graph: \`reachable\`, \`since\` and \`lastError\` say so, and
# \`lastContact\` says how fresh that state is.
query SyncStatus {
  clusters {
    id
    name
    reachable
    since
    lastContact
    lastError
    synced
  }
  syncStatus {
    clusterId
    typeName
    phase
    synced
    objectCount
    relists
    stalls
    error
  }
}
`,
  variables: "",
};

export const followChangesExample: ExampleTab = {
  title: "FollowChanges",
  query: `# Live changes to the objects of one namespace, over graphql-ws.
# To resume from a query: run Workloads, copy its \`sequence\` into
# "since" in the variables pane, and run this. Every change after
# that page arrives first, then live ones: no gap, no duplicate.
# With "since" null it starts from now; a sequence older than what
# meshsync keeps starts with RESYNC (query again). ADDED and MODIFIED
# both carry the object's new state.
subscription FollowChanges($namespace: String! = "default", $since: String) {
  resourceChanges(filter: { namespaces: [$namespace] }, since: $since) {
    sequence
    type
    resource {
      kind
      namespace
      name
      resourceVersion
    }
  }
}
`,
  variables: `{
  "namespace": "default",
  "since": null
}
`,
};

export const countsByKindExample: ExampleTab = {
  title: "CountsByKind",
  query: `# How many objects of each kind the graph holds, the most first.
# With no filter, or one that narrows only by clusters, namespaces,
# apiVersions or kinds, the counts the graph keeps answer at once,
# whatever the cluster's size. \`by\` also takes NAMESPACE and CLUSTER.
query CountsByKind($namespaces: [String!]) {
  resourceCounts(filter: { namespaces: $namespaces }, by: KIND) {
    apiVersion
    kind
    count
  }
}
`,
  variables: `{
  "namespaces": null
}
`,
};

export const sortedPageExample: ExampleTab = {
  title: "NewestPods",
  query: `# The newest Pods first, with a summary of each as kubectl get
# pods shows it (phase, readiness, restarts, and a reason such as
# CrashLoopBackOff). orderBy also takes NAME and NAMESPACE; page on
# with \`after: endCursor\`, or back with \`last\` and \`before\`.
query NewestPods($first: Int = 10) {
  resources(
    filter: { kinds: ["pods"] }
    orderBy: { field: CREATED, direction: DESC }
    first: $first
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        namespace
        name
        createdAt
        summary {
          phase
          ready
          restarts
          reason
        }
      }
    }
  }
}
`,
  variables: `{
  "first": 10
}
`,
};

export const historyExample: ExampleTab = {
  title: "History",
  query: `# What happened to one Deployment lately: its changes in meshsync's
# retained window, newest first, each with when meshsync saw it and
# the resourceVersion it brought. The window is bounded by bytes:
# on a quiet cluster it reaches back far, under churn less so.
query History($namespace: String! = "default", $name: String! = "podinfo") {
  resources(filter: { kinds: ["Deployment"], namespaces: [$namespace], names: [$name] }, first: 1) {
    edges {
      node {
        kind
        namespace
        name
        history(first: 10) {
          time
          type
          resource {
            resourceVersion
            status
          }
        }
      }
    }
  }
}
`,
  variables: `{
  "namespace": "default",
  "name": "podinfo"
}
`,
};

export const changesSinceExample: ExampleTab = {
  title: "ChangesSince",
  query: `# Every change to a namespace's objects since a time (RFC 3339),
# oldest first, as the subscription would have sent them. Pass
# \`next\` as "since" to read on; \`complete\` is false when the window
# no longer reaches back that far (or meshsync started later): then
# query the objects again instead.
query ChangesSince($namespace: String! = "default", $sinceTime: String = "2026-01-01T00:00:00Z") {
  changes(filter: { namespaces: [$namespace] }, sinceTime: $sinceTime, first: 50) {
    complete
    next
    hasMore
    changes {
      time
      type
      resource {
        kind
        name
        resourceVersion
      }
    }
  }
}
`,
  variables: `{
  "namespace": "default",
  "sinceTime": "2026-01-01T00:00:00Z"
}
`,
};

/** The tabs in the order GraphiQL shows them; the first is the one it opens on. */
export const exampleTabs: readonly ExampleTab[] = [
  workloadsExample,
  labelSelectorExample,
  topologyExample,
  syncStatusExample,
  countsByKindExample,
  sortedPageExample,
  historyExample,
  changesSinceExample,
  // Last: with a tab after it, GraphiQL in Chromium did not start its subscription (not understood yet).
  followChangesExample,
];

/** What a tab the visitor adds starts with, instead of GraphiQL's generic welcome text. */
export const newTabQuery = `# A new tab. The Docs pane (the book icon on the left) lists
# every type and field; Ctrl-Space completes names as you type.
query Clusters {
  clusters {
    name
    reachable
    synced
  }
}
`;
