// A resource graph holding a generated scenario, for the benchmarks that read one: each object under
// the type the simulator serves it as (its plural and its scope, so that a Pod's spec.nodeName names
// a cluster-scoped Node), or, for a kind the catalog lacks, a type made from its apiVersion and kind.
import { builtinResourceTypes, generateScenario, type KubeObject, type SimResourceType } from "@meshsync/sim";
import { ResourceGraph, type ResourceGraphOptions } from "../../src/graph/index.js";
import type { ResourceType } from "../../src/kube/index.js";

export const benchCluster = { id: "bench", name: "bench" };

const served = new Map<string, SimResourceType>(
  builtinResourceTypes.map((type) => [`${type.group}/${type.version}/${type.kind}`, type]),
);

/** Gives each object the type it is served as, the same type object for every object of one type. */
export function typeNamer(): (object: KubeObject) => ResourceType {
  const types = new Map<string, ResourceType>();
  return (object) => {
    const [group, version] = object.apiVersion?.includes("/")
      ? (object.apiVersion.split("/") as [string, string])
      : ["", object.apiVersion ?? "v1"];
    const kind = object.kind ?? "";
    const key = `${group}/${version}/${kind}`;
    let type = types.get(key);
    if (type === undefined) {
      const known = served.get(key);
      type = {
        group,
        version,
        resource: known?.name ?? `${kind.toLowerCase()}s`,
        kind,
        namespaced: known?.namespaced ?? object.metadata?.namespace !== undefined,
        verbs: ["list", "watch"],
      };
      types.set(key, type);
    }
    return type;
  };
}

/** A graph of these objects, fed in their order. */
export function graphOf(objects: readonly KubeObject[], options: ResourceGraphOptions = {}): ResourceGraph {
  const graph = new ResourceGraph({ retainedChanges: 1000, ...options });
  graph.addCluster(benchCluster);
  const typeOf = typeNamer();
  for (const object of objects) graph.upsert(benchCluster, typeOf(object), object);
  return graph;
}

export function scenarioGraph(scenario: string, seed = 1, options: ResourceGraphOptions = {}): ResourceGraph {
  return graphOf(generateScenario(scenario, seed), options);
}
