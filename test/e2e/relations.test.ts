// Relations end to end: `meshsync sim` (the demo scenario, no churn) and `meshsync serve` as processes,
// with kubectl's view of the same simulator as the truth the graph's edges must equal, and objects
// kubectl creates gaining their edges live over graphql-ws.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GraphSequenceDocument,
  OwnershipTreeDocument,
  RelationsOfKindDocument,
  ResourceRelationsDocument,
} from "../generated/graphql.js";
import { appPod, appService, EdgeArrivals, objectName } from "../support/edge-arrivals.js";
import { queryData } from "../support/graphql-client.js";
import { hasKubectl, kubectlWith } from "../support/kubectl.js";
import { type SimAndServe, startSimAndServe, tempDir } from "../support/processes.js";

type Json = Record<string, unknown>;
interface KubeItem {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    ownerReferences?: { kind: string; uid: string }[];
  };
  spec?: Json & { selector?: Record<string, string>; nodeName?: string };
}

let pair: SimAndServe;

const kubectl = (...args: string[]) => kubectlWith(pair.kubeconfig, ...args);

async function kubectlItems(...args: string[]): Promise<KubeItem[]> {
  return (JSON.parse(await kubectl(...args, "-o", "json")) as { items: KubeItem[] }).items;
}

const nameOf = (o: { kind: string; namespace?: string | null; name: string }) =>
  objectName(o.kind, o.namespace ?? "", o.name);
const itemName = (o: KubeItem) => objectName(o.kind, o.metadata.namespace ?? "", o.metadata.name);

/**
 * Compares what the graph says with kubectl's view until they agree (the graph follows the simulator's
 * watch), then asserts on the last comparison, so that a difference fails with both sides shown.
 */
async function agreeing<T>(read: () => Promise<{ graph: T; kubectl: T }>, what: string) {
  let last = await read();
  await eventually(
    async () => {
      last = await read();
      return JSON.stringify(last.graph) === JSON.stringify(last.kubectl);
    },
    20_000,
    what,
  ).catch(() => undefined);
  expect(last.graph).toEqual(last.kubectl);
  return last.kubectl;
}

beforeAll(async () => {
  pair = await startSimAndServe(["--churn", "0"]);
}, 90_000);

afterAll(async () => {
  await pair?.stop();
});

describe("relations on the demo scenario, against kubectl's view", () => {
  it("every Deployment reaches its Pods through its ReplicaSets by owns", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const read = async () => {
      const objects = await kubectlItems("get", "deployments,replicasets,pods", "-A");
      const byUid = new Map(objects.map((o) => [o.metadata.uid, o]));
      // Each Deployment's tree as ownerReferences draw it: Deployment -> ReplicaSet -> Pod.
      const truth: Record<string, string[]> = {};
      for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
        const edges: string[] = [];
        for (const rs of objects.filter((o) => o.kind === "ReplicaSet"))
          if (rs.metadata.ownerReferences?.some((ref) => ref.uid === deployment.metadata.uid)) {
            edges.push(`owns ${itemName(deployment)} -> ${itemName(rs)}`);
            for (const pod of objects.filter((o) => o.kind === "Pod"))
              if (pod.metadata.ownerReferences?.some((ref) => byUid.get(ref.uid) === rs))
                edges.push(`owns ${itemName(rs)} -> ${itemName(pod)}`);
          }
        truth[itemName(deployment)] = edges.sort();
      }
      const graph: Record<string, string[]> = {};
      const deployments = await queryData(pair.graphqlUrl, RelationsOfKindDocument, {
        kinds: ["Deployment"],
        types: ["owns"],
      });
      for (const { node } of deployments.resources.edges) {
        const tree = (await queryData(pair.graphqlUrl, OwnershipTreeDocument, { id: node.id })).neighbourhood;
        const names = new Map(tree?.nodes.map((n) => [n.id, nameOf(n)]));
        expect(tree?.truncated).toBe(false);
        graph[nameOf(node)] = (tree?.edges ?? [])
          .map((edge) => `${edge.type} ${names.get(edge.from)} -> ${names.get(edge.to)}`)
          .sort();
      }
      return { graph, kubectl: truth };
    };
    const truth = await agreeing(read, "every Deployment's owns tree as kubectl shows it");
    const trees = Object.values(truth);
    expect(trees.length).toBeGreaterThan(3);
    // Not vacuous: every Deployment reaches at least one Pod through a ReplicaSet.
    for (const edges of trees) expect(edges.some((edge) => / -> Pod\//.test(edge))).toBe(true);
  });

  it("every Service selects exactly the Pods kubectl's label selector lists; one without a selector none", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const read = async () => {
      const truth: Record<string, string[]> = {};
      for (const service of await kubectlItems("get", "services", "-A")) {
        const selector = Object.entries(service.spec?.selector ?? {});
        truth[itemName(service)] =
          selector.length === 0
            ? []
            : (
                await kubectlItems(
                  "get",
                  "pods",
                  "-n",
                  service.metadata.namespace ?? "",
                  "-l",
                  selector.map(([key, value]) => `${key}=${value}`).join(","),
                )
              )
                .map(itemName)
                .sort();
      }
      const services = await queryData(pair.graphqlUrl, RelationsOfKindDocument, {
        kinds: ["Service"],
        types: ["selects"],
      });
      const graph: Record<string, string[]> = {};
      for (const { node } of services.resources.edges)
        graph[nameOf(node)] = node.relations.map((r) => nameOf(r.resource)).sort();
      return { graph, kubectl: truth };
    };
    const truth = await agreeing(read, "every Service's selects as kubectl's selectors list");
    expect(Object.values(truth).filter((pods) => pods.length > 0).length).toBeGreaterThan(3);
    expect(truth["Service/default/kubernetes"]).toEqual([]);
  });

  it("every scheduled Pod runs-on the Node its spec.nodeName names", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const read = async () => {
      const truth: Record<string, string[]> = {};
      for (const pod of await kubectlItems("get", "pods", "-A"))
        truth[itemName(pod)] = pod.spec?.nodeName ? [objectName("Node", "", pod.spec.nodeName)] : [];
      const pods = await queryData(pair.graphqlUrl, RelationsOfKindDocument, {
        kinds: ["Pod"],
        types: ["runs-on"],
      });
      expect(pods.resources.totalCount).toBe(pods.resources.edges.length);
      const graph: Record<string, string[]> = {};
      for (const { node } of pods.resources.edges)
        graph[nameOf(node)] = node.relations.map((r) => nameOf(r.resource));
      return { graph, kubectl: truth };
    };
    const truth = await agreeing(read, "every Pod's runs-on as kubectl's spec.nodeName");
    expect(Object.values(truth).filter((nodes) => nodes.length === 1).length).toBeGreaterThan(10);
  });

  it("gives a Service created after its Pods, and Pods created after their Service, their edges live", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const namespace = "relations-e2e";
    await kubectl("create", "namespace", namespace);
    const { sequence } = (await queryData(pair.graphqlUrl, GraphSequenceDocument)).resources;
    const arrivals = EdgeArrivals.open(pair.graphqlUrl, namespace, sequence);
    const dir = tempDir("relations-e2e-");
    /** `kubectl create --validate=false` of these objects; resolves to when kubectl was started. */
    const create = async (file: string, objects: Json[]) => {
      const path = join(dir, file);
      writeFileSync(path, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
      const started = performance.now();
      await kubectl("create", "--validate=false", "-n", namespace, "-f", path);
      return started;
    };
    const name = (kind: string, n: string) => objectName(kind, namespace, n);
    const selects = (svc: string, p: string): [string, string, string] => [
      "selects",
      name("Service", svc),
      name("Pod", p),
    ];
    const relationsOf = async (object: string) => {
      const id = arrivals.idOf(object);
      expect(id, `${object} came through the stream`).toBeTypeOf("string");
      const data = await queryData(pair.graphqlUrl, ResourceRelationsDocument, {
        id: id!,
        types: ["selects"],
      });
      const node = data.node as { relations?: { type: string; direction: string; resource: Json }[] } | null;
      return (node?.relations ?? [])
        .map((r) => `${r.type} ${r.direction} ${nameOf(r.resource as { kind: string; name: string })}`)
        .sort();
    };
    try {
      // A Service after its Pods: the pods are in the graph first, so the edges come with the Service.
      await create("late-pods.json", [
        appPod("late-0", "late"),
        appPod("late-1", "late"),
        appPod("other", "other"),
      ]);
      await arrivals.waitForObjects([name("Pod", "late-0"), name("Pod", "late-1")]);
      const serviceWritten = await create("late-service.json", [appService("late", "late")]);
      const serviceArrived = await arrivals.waitFor([selects("late", "late-0"), selects("late", "late-1")]);
      expect(await relationsOf(name("Service", "late"))).toEqual([
        `selects OUT ${name("Pod", "late-0")}`,
        `selects OUT ${name("Pod", "late-1")}`,
      ]);

      // Pods after their Service.
      await create("early-service.json", [appService("early", "early")]);
      await arrivals.waitForObjects([name("Service", "early")]);
      expect(await relationsOf(name("Service", "early"))).toEqual([]);
      const podsWritten = await create("early-pods.json", [
        appPod("early-0", "early"),
        appPod("early-1", "early"),
      ]);
      const podsArrived = await arrivals.waitFor([selects("early", "early-0"), selects("early", "early-1")]);
      for (const p of ["early-0", "early-1"])
        expect(await relationsOf(name("Pod", p))).toEqual([`selects IN ${name("Service", "early")}`]);
      expect(await relationsOf(name("Pod", "other"))).toEqual([]);

      // What the "within a second" is measured by (bench/relations.bench.ts measures it over many
      // creations); here, kubectl's own start is in it.
      console.log(
        JSON.stringify({
          relationsE2e: "edge appearance, from starting kubectl create to relationsAdded over graphql-ws",
          serviceAfterItsPodsMs: Math.round(serviceArrived - serviceWritten),
          podsAfterTheirServiceMs: Math.round(podsArrived - podsWritten),
        }),
      );
    } finally {
      await arrivals.close();
    }
  });
});
