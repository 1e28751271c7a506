// A resource graph holding a generated scenario, for the benchmarks that read one: each object under a
// type made from its apiVersion and kind, as discovery would name it near enough.
import { generateScenario } from "@meshsync/sim";
import { ResourceGraph } from "../../src/graph/index.js";
import type { KubeObject, ResourceType } from "../../src/kube/index.js";

/** The type an object of a generated scenario is fed under, made once per group and kind in `types`. */
export function scenarioType(object: KubeObject, types: Map<string, ResourceType>): ResourceType {
  const [group, version] = object.apiVersion?.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const kind = object.kind ?? "";
  const key = `${group}/${kind}`;
  let type = types.get(key);
  if (type === undefined) {
    type = {
      group: group ?? "",
      version: version ?? "v1",
      resource: `${kind.toLowerCase()}s`,
      kind,
      namespaced: true,
      verbs: ["list", "watch"],
    };
    types.set(key, type);
  }
  return type;
}

export function scenarioGraph(scenario: string, seed = 1): ResourceGraph {
  const graph = new ResourceGraph({ retainedChanges: 1000 });
  const cluster = { id: "bench", name: "bench" };
  graph.addCluster(cluster);
  const types = new Map<string, ResourceType>();
  for (const object of generateScenario(scenario, seed))
    graph.upsert(cluster, scenarioType(object, types), object);
  return graph;
}
