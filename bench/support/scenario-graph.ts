// A resource graph holding a generated scenario, for the benchmarks that read one: each object under a
// type made from its apiVersion and kind, as discovery would name it near enough.
import { generateScenario } from "@meshsync/sim";
import { ResourceGraph } from "../../src/graph/index.js";
import type { ResourceType } from "../../src/kube/index.js";

export function scenarioGraph(scenario: string, seed = 1): ResourceGraph {
  const graph = new ResourceGraph({ retainedChanges: 1000 });
  const cluster = { id: "bench", name: "bench" };
  graph.addCluster(cluster);
  const types = new Map<string, ResourceType>();
  for (const object of generateScenario(scenario, seed)) {
    const [group, version] = object.apiVersion?.includes("/")
      ? object.apiVersion.split("/")
      : ["", object.apiVersion];
    const kind = object.kind ?? "";
    const key = `${group}/${kind}`;
    if (!types.has(key)) {
      types.set(key, {
        group: group ?? "",
        version: version ?? "v1",
        resource: `${kind.toLowerCase()}s`,
        kind,
        namespaced: true,
        verbs: ["list", "watch"],
      });
    }
    graph.upsert(cluster, types.get(key)!, object);
  }
  return graph;
}
