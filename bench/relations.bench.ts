// What the relations cost and how fast they answer, at 1,000, 10,000 and 150,000 pods (the modest,
// large and scale scenarios):
// 1. Upkeep per change: the time ResourceGraph.upsert takes for a one-object change with the built-in
//    relation rules, against the same change to a graph without them, interleaved round by round, for
//    a pod status change (the usual churn), a pod relabel that moves it out of and back into its
//    Service's selector, and a Service selector change that drops and regains its pods.
// 2. The heap the relations add: a full load with and without the rules, after forced collections,
//    per object and per pod, in interleaved runs.
// 3. p99 of an explorer's questions, on the graph and through GraphQL execution in-process (yoga's
//    fetch, no socket): a namespace's pods, a label selector across the cluster, a 2-hop neighbourhood
//    from a Deployment and from a Node.
// 4. Edge appearance (bench/support/edge-appearance.ts): from a write to the simulator's HTTP API to the
//    edge arriving as relationsAdded over graphql-ws, through real `meshsync sim` and `meshsync serve`
//    processes.
// Run: npm run bench relations   (sizes by name: ... relations -- --sizes=modest,large)
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScenario, type KubeObject } from "@meshsync/sim";
import { heapUsed, mb } from "@meshsync/testing/heap";
import { encodeGlobalID } from "@pothos/plugin-relay";
import pino from "pino";
import { createApiContext } from "../src/api/index.js";
import type { ResourceGraph, StoredResource } from "../src/graph/index.js";
import type { ResourceType } from "../src/kube/index.js";
import { defaultServerLimits } from "../src/server/index.js";
import { createMeshsyncYoga } from "../src/server/yoga.js";
import { measureEdgeAppearance } from "./support/edge-appearance.js";
import { benchCluster, graphOf, typeNamer } from "./support/scenario-graph.js";

const sizeFlag = process.argv.find((a) => a.startsWith("--sizes="));
const sizeNames = sizeFlag
  ? sizeFlag.slice("--sizes=".length).split(",").filter(Boolean)
  : ["modest", "large", "scale"];
const upkeepRounds = 15;
const changesPerRound = 200;
const graphSamples = 1000;
const graphqlSamples = 300;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sortedOf = (values: readonly number[]) => [...values].sort((a, b) => a - b);
function spread(values: readonly number[], digits = 2) {
  const sorted = sortedOf(values);
  return {
    median: round(sorted[Math.floor(sorted.length / 2)]!, digits),
    min: round(sorted[0]!, digits),
    max: round(sorted.at(-1)!, digits),
  };
}
function percentiles(values: readonly number[]) {
  const sorted = sortedOf(values);
  const at = (p: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!, 3);
  return { samples: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: round(sorted.at(-1)!, 3) };
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};

/** The pods each Service of the graph selects, by the Service's key. */
function selectedPods(graph: ResourceGraph): Map<StoredResource, StoredResource[]> {
  const out = new Map<StoredResource, StoredResource[]>();
  for (const service of graph.list({ kinds: ["Service"] }).items) {
    const pods = graph.edges(service, "OUT", new Set(["selects"])).map((edge) => edge.to);
    if (pods.length > 0) out.set(service, pods);
  }
  return out;
}

/**
 * A Service in an application namespace selecting about 10 pods through a one-label selector, the
 * same shape at every size, so that the per-change figures compare.
 */
function typicalService(graph: ResourceGraph): { service: StoredResource; pods: StoredResource[] } {
  let best: { service: StoredResource; pods: StoredResource[] } | undefined;
  for (const [service, pods] of selectedPods(graph)) {
    const selector = record(record(service.object.spec).selector);
    if (Object.keys(selector).length !== 1 || service.namespace === "kube-system") continue;
    if (best === undefined || Math.abs(pods.length - 10) < Math.abs(best.pods.length - 10))
      best = { service, pods };
  }
  if (best === undefined) throw new Error("no Service selects pods");
  return best;
}

let resourceVersion = 10_000_000;
const nextVersion = () => String(resourceVersion++);

/** A new version of an object: a fresh tree, its metadata and the part `change` gives replaced. */
function version(object: KubeObject, change: (o: KubeObject) => Partial<KubeObject>): KubeObject {
  const copy = structuredClone(object);
  return { ...copy, ...change(copy), metadata: { ...copy.metadata, resourceVersion: nextVersion() } };
}

interface ChangeCase {
  what: string;
  /** `count` new versions, made before the timing starts; `graph` says whose copy. */
  versions(count: number): KubeObject[];
  type: ResourceType;
}

function cases(
  graph: ResourceGraph,
  typeOf: (o: KubeObject) => ResourceType,
): {
  cases: ChangeCase[];
  chosen: Json;
} {
  const { service, pods } = typicalService(graph);
  const selector = record(record(service.object.spec).selector) as Record<string, string>;
  const [selectorKey, selectorValue] = Object.entries(selector)[0]!;
  const pod = pods[0]!;
  const podObject = pod.object;
  const serviceObject = service.object;
  const podType = typeOf(podObject);
  const serviceType = typeOf(serviceObject);
  let restarts = 0;
  return {
    chosen: {
      service: `${service.namespace}/${service.name}`,
      selector,
      podsSelected: pods.length,
      pod: `${pod.namespace}/${pod.name}`,
      podEdges: graph.edges(pod).length,
    },
    cases: [
      {
        what: "pod status change (a container restart)",
        type: podType,
        versions: (count) =>
          Array.from({ length: count }, () =>
            version(podObject, (o) => {
              const status = record(o.status);
              const containers = Array.isArray(status.containerStatuses) ? status.containerStatuses : [];
              restarts++;
              return {
                status: {
                  ...status,
                  containerStatuses: containers.map((c: unknown) => ({
                    ...record(c),
                    restartCount: restarts,
                  })),
                },
              };
            }),
          ),
      },
      {
        what: "pod relabel out of its Service's selector and back in, alternately",
        type: podType,
        versions: (count) =>
          Array.from({ length: count }, (_, i) =>
            version(podObject, (o) => ({
              metadata: {
                ...o.metadata,
                labels: {
                  ...o.metadata?.labels,
                  [selectorKey]: i % 2 === 0 ? `${selectorValue}-moved` : selectorValue,
                },
              },
            })),
          ),
      },
      {
        what: "Service selector change dropping its pods and regaining them, alternately",
        type: serviceType,
        versions: (count) =>
          Array.from({ length: count }, (_, i) =>
            version(serviceObject, (o) => ({
              spec: {
                ...record(o.spec),
                selector: { [selectorKey]: i % 2 === 0 ? `${selectorValue}-moved` : selectorValue },
              },
            })),
          ),
      },
    ],
  };
}

/** Microseconds per upsert over one batch of versions. */
function upsertBatch(graph: ResourceGraph, type: ResourceType, versions: readonly KubeObject[]): number {
  const started = performance.now();
  for (const object of versions) graph.upsert(benchCluster, type, object);
  return ((performance.now() - started) * 1000) / versions.length;
}

function upkeep(withRules: ResourceGraph, without: ResourceGraph, typeOf: (o: KubeObject) => ResourceType) {
  const { cases: changeCases, chosen } = cases(withRules, typeOf);
  const figures = changeCases.map((c) => ({
    what: c.what,
    withRules: [] as number[],
    without: [] as number[],
  }));
  for (let r = 0; r < upkeepRounds + 1; r++) {
    for (const [i, c] of changeCases.entries()) {
      const forRules = c.versions(changesPerRound);
      const forBare = c.versions(changesPerRound);
      // Which graph goes first alternates, so that neither always meets a warmer cache.
      const order = r % 2 === 0 ? (["withRules", "without"] as const) : (["without", "withRules"] as const);
      for (const which of order) {
        const us =
          which === "withRules"
            ? upsertBatch(withRules, c.type, forRules)
            : upsertBatch(without, c.type, forBare);
        if (r > 0) figures[i]![which].push(us); // round 0 warms the JIT
      }
    }
  }
  return {
    chosen,
    changesPerRound,
    rounds: upkeepRounds,
    perChangeMicroseconds: figures.map((f) => ({
      what: f.what,
      withRules: spread(f.withRules),
      without: spread(f.without),
      relations: spread(f.withRules.map((us, i) => us - f.without[i]!)),
    })),
  };
}

type Variant = "withRules" | "without";

/** The heap a full load of `objects` keeps, with and without the rules, in interleaved runs. */
function loadRuns(objects: readonly KubeObject[], runs: number) {
  const bytes = { withRules: [] as number[], without: [] as number[] };
  const kept: Partial<Record<Variant, ResourceGraph>> = {};
  // The graph is made and filed in a frame of its own: a local of this loop would keep the graph it
  // last held alive through the next measurement.
  const load = (which: Variant) => {
    delete kept[which];
    const before = heapUsed();
    kept[which] = graphOf(objects, { builtinRelations: which === "withRules" });
    bytes[which].push(heapUsed() - before);
  };
  for (let run = 0; run < runs; run++)
    for (const which of run % 2 === 0
      ? (["withRules", "without"] as const)
      : (["without", "withRules"] as const))
      load(which);
  return { bytes, kept };
}

interface Question {
  what: string;
  graph: () => unknown;
  query: string;
  variables: Json;
}

function questions(graph: ResourceGraph): Question[] {
  // The namespaces, the Deployment and the Node with the most pods.
  const podsByNamespace = new Map<string, number>();
  const podsByNode = new Map<string, number>();
  for (const pod of graph.list({ kinds: ["Pod"] }).items) {
    podsByNamespace.set(pod.namespace!, (podsByNamespace.get(pod.namespace!) ?? 0) + 1);
    const node = String(record(pod.object.spec).nodeName ?? "");
    podsByNode.set(node, (podsByNode.get(node) ?? 0) + 1);
  }
  const most = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  // kube-system holds a pod per node, which no application namespace comes near: asked separately.
  const system = "kube-system";
  const namespace = most(new Map([...podsByNamespace].filter(([ns]) => ns !== system)));
  const nodeName = most(podsByNode);
  const node = graph.list({ kinds: ["Node"], names: [nodeName] }).items[0]!;
  const deployments = graph.list({ kinds: ["Deployment"] }).items;
  const deployment = deployments.reduce((a, b) =>
    Number(record(a.object.spec).replicas ?? 0) >= Number(record(b.object.spec).replicas ?? 0) ? a : b,
  );
  const selector = "app=postgres";
  const first = defaultServerLimits.defaultPageSize;
  const hop2 = (start: StoredResource) => () =>
    graph.neighbourhood(start, {
      hops: 2,
      direction: "BOTH",
      maxNodes: first,
      maxEdges: first * 4,
      maxExamined: first * 40,
    });
  const neighbourhoodQuery =
    "query N($id: ID!) { neighbourhood(id: $id, hops: 2, first: 100) { nodes { id kind namespace name } edges { type from to } truncated } }";
  const listQuery =
    "query L($f: ResourceFilter) { resources(first: 100, filter: $f) { totalCount edges { node { id kind namespace name } } } }";
  return [
    {
      // The floor: what the machine and the GraphQL pipeline add to any question.
      what: "baseline: { __typename } (on the graph: nothing)",
      graph: () => undefined,
      query: "{ __typename }",
      variables: {},
    },
    {
      what: `a namespace's pods (${namespace}, ${podsByNamespace.get(namespace)} pods; first page of ${first})`,
      graph: () => graph.list({ namespaces: [namespace], kinds: ["Pod"] }, { first }),
      query: listQuery,
      variables: { f: { namespaces: [namespace], kinds: ["Pod"] } },
    },
    {
      what: `the system namespace's pods (${system}, ${podsByNamespace.get(system)} pods; first page of ${first})`,
      graph: () => graph.list({ namespaces: [system], kinds: ["Pod"] }, { first }),
      query: listQuery,
      variables: { f: { namespaces: [system], kinds: ["Pod"] } },
    },
    {
      what: `a label selector across the cluster (${selector}, ${graph.list({ labelSelector: selector }, { first: 0 }).totalCount} objects; first page of ${first})`,
      graph: () => graph.list({ labelSelector: selector }, { first }),
      query: listQuery,
      variables: { f: { labelSelector: selector } },
    },
    {
      what: `2-hop neighbourhood from a Deployment (${deployment.namespace}/${deployment.name}, ${hop2(deployment)().nodes.length} objects; first ${first})`,
      graph: hop2(deployment),
      query: neighbourhoodQuery,
      variables: { id: encodeGlobalID("Resource", deployment.key) },
    },
    {
      what: `2-hop neighbourhood from a Node (${node.name}, ${podsByNode.get(nodeName)} pods, ${hop2(node)().nodes.length} objects; first ${first})`,
      graph: hop2(node),
      query: neighbourhoodQuery,
      variables: { id: encodeGlobalID("Resource", node.key) },
    },
    {
      // Answered from the counts the graph keeps: no object is read.
      what: "counts by kind across the cluster (resourceCounts(by: KIND), no filter)",
      graph: () => graph.countInSlices({}, "KIND"),
      query: "{ resourceCounts(by: KIND) { apiVersion kind count } }",
      variables: {},
    },
    {
      // A filter the counts cannot answer: every pod of the namespace is read, in slices.
      what: `counts by kind of a label selector's objects (${selector}, read in slices)`,
      graph: () => graph.countInSlices({ labelSelector: selector }, "KIND"),
      query: "query C($s: String) { resourceCounts(filter: { labelSelector: $s }, by: KIND) { kind count } }",
      variables: { s: selector },
    },
  ];
}

async function latencies(graph: ResourceGraph) {
  const yoga = createMeshsyncYoga({
    context: createApiContext({ graph, limits: defaultServerLimits }),
    limits: defaultServerLimits,
    logger: pino({ level: "silent" }),
    allowedOrigins: undefined,
    plugins: [],
  });
  const execute = async (question: Question) => {
    const response = await yoga.fetch("http://127.0.0.1/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: question.query, variables: question.variables }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors !== undefined) throw new Error(`${question.what}: ${JSON.stringify(body.errors)}`);
  };
  const asked = questions(graph);
  const onGraph = asked.map(() => [] as Sample[]);
  const throughGraphql = asked.map(() => [] as Sample[]);
  // Collections, to tell the tail they make from the rest.
  const collections: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      collections.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
  // Warm-up, then the questions in turn, so that each meets the others' garbage.
  for (const question of asked) for (let i = 0; i < 20; i++) await execute(question);
  const phaseStart = performance.now();
  for (let i = 0; i < graphSamples; i++)
    for (const [q, question] of asked.entries()) {
      const start = performance.now();
      // Counts read in slices answer in later turns: the time is until the answer.
      const answer = question.graph();
      if (answer instanceof Promise) await answer;
      onGraph[q]!.push({ start, end: performance.now() });
    }
  for (let i = 0; i < graphqlSamples; i++)
    for (const [q, question] of asked.entries()) {
      const start = performance.now();
      await execute(question);
      throughGraphql[q]!.push({ start, end: performance.now() });
    }
  const phaseMs = performance.now() - phaseStart;
  // Entries are delivered on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const during = (sample: Sample) => collections.some((gc) => gc.start < sample.end && gc.end > sample.start);
  const figures = (samples: Sample[]) => {
    const calm = samples.filter((sample) => !during(sample));
    return {
      ...percentiles(samples.map((sample) => sample.end - sample.start)),
      samplesDuringGc: samples.length - calm.length,
      p99MsOutsideGc: percentiles(calm.map((sample) => sample.end - sample.start)).p99Ms,
    };
  };
  const gcMs = collections.reduce((total, gc) => total + (gc.end - gc.start), 0);
  return {
    gc: { collections: collections.length, ms: round(gcMs), shareOfPhase: round(gcMs / phaseMs, 3) },
    asked: asked.map((question, q) => ({
      what: question.what,
      graph: figures(onGraph[q]!),
      graphql: figures(throughGraphql[q]!),
    })),
  };
}

interface Sample {
  start: number;
  end: number;
}

const loadAverageAtStart = loadavg().map((l) => round(l));
const sizesMeasured = [];
/** Loads a scenario in interleaved runs; the generated objects are garbage once it returns. */
function loadScenario(name: string) {
  const objects = generateScenario(name, 1);
  const pods = objects.filter((o) => o.kind === "Pod").length;
  const runs = pods > 50_000 ? 2 : 4;
  const load = loadRuns(objects, runs);
  const memory = {
    runs,
    withRulesMB: spread(load.bytes.withRules.map(mb), 1),
    withoutMB: spread(load.bytes.without.map(mb), 1),
    relationsBytesPerObject: spread(
      load.bytes.withRules.map((b, i) => (b - load.bytes.without[i]!) / objects.length),
      1,
    ),
    relationsBytesPerPod: spread(
      load.bytes.withRules.map((b, i) => (b - load.bytes.without[i]!) / pods),
      1,
    ),
    relationReferences: load.kept.withRules!.relationReferences,
  };
  return { objectCount: objects.length, pods, memory, kept: load.kept };
}

for (const name of sizeNames) {
  const started = performance.now();
  const { objectCount, pods, memory, kept } = loadScenario(name);
  const load = { kept };
  const changes = upkeep(load.kept.withRules!, load.kept.without!, typeNamer());
  // The questions meet one graph's heap, as a server's would.
  delete load.kept.without;
  const { gc, asked } = await latencies(load.kept.withRules!);
  const figures = {
    scenario: name,
    objects: objectCount,
    pods,
    memory,
    upkeep: changes,
    questions: asked,
    questionsGc: gc,
    seconds: round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(figures, null, 2));
  sizesMeasured.push(figures);
}

const appearance = process.argv.includes("--no-appearance") ? undefined : await measureEdgeAppearance();
if (appearance !== undefined) console.log(JSON.stringify(appearance, null, 2));

const result = {
  benchmark: "relations",
  node: process.version,
  machine: { cpus: cpus().length, loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => round(l)) },
  sizes: sizesMeasured,
  edgeAppearance: appearance,
  measuredAt: new Date().toISOString(),
};
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "relations.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(resultsDir, "relations.md"), markdown(result));

function markdown(r: typeof result): string {
  const range = (f: { median: number; min: number; max: number }) => `${f.median} (${f.min}–${f.max})`;
  const lines = [
    "# Relations: upkeep, memory and latency",
    "",
    `Measured ${r.measuredAt.slice(0, 16)}Z on Node ${r.node}, ${r.machine.cpus} cores shared with other work (load average ${r.machine.loadAverageAtStart.join(", ")} at the start, ${r.machine.loadAverageAtEnd.join(", ")} at the end): the tails below carry that load. Re-run: \`npm run bench relations\` (figures in relations.json).`,
    "",
    `## Upkeep per one-object change (µs per ResourceGraph.upsert; median (min–max) of ${upkeepRounds} interleaved rounds of ${changesPerRound} changes)`,
    "",
    "| scenario | pods | change | with the rules | without | relations' share |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const size of r.sizes)
    for (const change of size.upkeep.perChangeMicroseconds)
      lines.push(
        `| ${size.scenario} | ${size.pods} | ${change.what} | ${range(change.withRules)} | ${range(change.without)} | ${range(change.relations)} |`,
      );
  lines.push("", "The objects changed, per scenario:", "");
  for (const size of r.sizes) lines.push(`- ${size.scenario}: ${JSON.stringify(size.upkeep.chosen)}`);
  lines.push(
    "",
    "## Heap a full load keeps (forced GC; median (min–max) of interleaved runs)",
    "",
    "| scenario | objects | pods | runs | with the rules MB | without MB | relations, bytes per object | bytes per pod | references held |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const size of r.sizes) {
    const m = size.memory;
    lines.push(
      `| ${size.scenario} | ${size.objects} | ${size.pods} | ${m.runs} | ${range(m.withRulesMB)} | ${range(m.withoutMB)} | ${range(m.relationsBytesPerObject)} | ${range(m.relationsBytesPerPod)} | ${m.relationReferences} |`,
    );
  }
  lines.push(
    "",
    `## Questions (ms; ${graphSamples} samples on the graph, ${graphqlSamples} through GraphQL execution in-process, interleaved)`,
    "",
    "p99 outside GC: the p99 of the samples no garbage collection overlapped (PerformanceObserver gc entries).",
    "",
    "| scenario | question | graph p50 | graph p99 | p99 outside GC | GraphQL p50 | GraphQL p99 | p99 outside GC | GraphQL max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const size of r.sizes)
    for (const q of size.questions)
      lines.push(
        `| ${size.scenario} | ${q.what} | ${q.graph.p50Ms} | ${q.graph.p99Ms} | ${q.graph.p99MsOutsideGc} | ${q.graphql.p50Ms} | ${q.graphql.p99Ms} | ${q.graphql.p99MsOutsideGc} | ${q.graphql.maxMs} |`,
      );
  lines.push("");
  for (const size of r.sizes)
    lines.push(
      `- ${size.scenario}: ${size.questionsGc.collections} collections took ${size.questionsGc.ms} ms, ${Math.round(size.questionsGc.shareOfPhase * 100)}% of the questions' time`,
    );
  if (r.edgeAppearance !== undefined) {
    const e = r.edgeAppearance;
    lines.push(
      "",
      `## Edge appearance (ms): ${e.what}`,
      "",
      "| order | samples | min | p50 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const [order, f] of [
      ["a Pod after its Service", e.podAfterItsService],
      ["a Service after its Pods", e.serviceAfterItsPods],
    ] as const)
      lines.push(`| ${order} | ${f.samples} | ${f.minMs} | ${f.p50Ms} | ${f.p99Ms} | ${f.maxMs} |`);
  }
  return `${lines.join("\n")}\n`;
}
