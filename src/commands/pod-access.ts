// Pod logs and exec for the outputs and the API: a request names a namespace and a pod (Meshery's
// requests name no cluster), so the pod is looked up in the graph to learn which cluster holds it, and
// that cluster's client opens the stream. With one cluster, as MeshSync has, the lookup only confirms.

import type { PodLogsProvider } from "../api/index.js";
import type { ResourceGraph } from "../graph/index.js";
import { type Engine, type KubeRequester, openPodExec, openPodLogs } from "../kube/index.js";
import type { PodExecOpener, PodLogSource } from "../outputs/index.js";

/** The cluster whose graph holds this pod; else the only cluster, whose API server then answers 404. */
export function clientForPod(
  graph: ResourceGraph,
  engine: Engine,
  namespace: string,
  pod: string,
  clusterId?: string,
): KubeRequester {
  const clusters =
    clusterId === undefined ? engine.clusters() : engine.clusters().filter((c) => c.id === clusterId);
  if (clusters.length === 0) {
    throw new Error(clusterId === undefined ? "no cluster is connected yet" : `no cluster ${clusterId}`);
  }
  const holder =
    clusters.find((cluster) => {
      try {
        return graph.find({ clusterId: cluster.id, apiVersion: "v1", kind: "Pod", namespace, name: pod });
      } catch {
        return false;
      }
    }) ?? clusters[0]!;
  const sync = engine.cluster(holder.id);
  if (sync === undefined) throw new Error(`cluster ${holder.name} is not connected`);
  return sync.client;
}

export function podLogSource(graph: ResourceGraph, engine: Engine): PodLogSource {
  return async function* (request) {
    const client = clientForPod(graph, engine, request.namespace, request.pod);
    const stream = await openPodLogs(client, request.namespace, request.pod, {
      ...(request.container === "" ? {} : { container: request.container }),
      follow: request.follow,
      previous: request.previous,
      timestamps: request.timestamps,
      ...(request.tailLines === undefined ? {} : { tailLines: request.tailLines }),
      signal: request.signal,
    });
    const encoder = new TextEncoder();
    try {
      for await (const line of stream) yield encoder.encode(`${line}\n`);
    } finally {
      stream.close();
    }
  };
}

export function podExecOpener(graph: ResourceGraph, engine: Engine): PodExecOpener {
  return async (request) => {
    const client = clientForPod(graph, engine, request.namespace, request.pod);
    const session = await openPodExec(client, {
      namespace: request.namespace,
      pod: request.pod,
      ...(request.container === "" ? {} : { container: request.container }),
      command: request.command,
      tty: request.tty,
      stdin: true,
      signal: request.signal,
    });
    // The end (an exit code or a failure) shows as the output ending; Meshery's shell knows no more.
    session.done.catch(() => {});
    return {
      output: (async function* () {
        for await (const chunk of session) yield chunk.data;
      })(),
      write: (data) => {
        session.write(data);
      },
      close: () => session.close(),
    };
  };
}

/** Subscription.podLogs' reader: lines, from the cluster the request names or the one holding the pod. */
export function podLogsProvider(graph: ResourceGraph, engine: Engine): PodLogsProvider {
  return async function* (request, signal) {
    const client = clientForPod(graph, engine, request.namespace, request.pod, request.clusterId);
    const stream = await openPodLogs(client, request.namespace, request.pod, {
      ...(request.container === undefined ? {} : { container: request.container }),
      follow: request.follow,
      previous: request.previous ?? false,
      ...(request.tailLines === undefined ? {} : { tailLines: request.tailLines }),
      signal,
    });
    try {
      yield* stream;
    } finally {
      stream.close();
    }
  };
}
