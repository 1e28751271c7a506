// What one unit of the cost rule buys in time, for each kind of work it prices, so that the rule weighs a
// scan and a page of fields in one unit. Operations run over HTTP against an in-process server with the
// budget and the response cap lifted, over a generated cluster (the medium scenario unless another is
// named), interleaved round by round; the baseline is the smallest request there is, measured in the same
// rounds and taken off every other figure. Field work is priced by the rule's weights; scan work is
// counted in filter evaluations (objects scanned × (1 + filterCost)), and the ratio of the two rates is
// what query-cost.ts's evaluationsPerCostUnit should be.
// Run: npm run bench query-cost   (another scenario: ... bench/query-cost.bench.ts scale)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultSelectorLimits } from "@meshsync/k8s";
import { parse } from "graphql";
import pino from "pino";
import { schema } from "../src/api/index.js";
import { filterCost, type ResourceFilter } from "../src/graph/index.js";
import { defaultServerLimits, startServer } from "../src/server/index.js";
import { evaluationsPerCostUnit, operationCost } from "../src/server/query-cost.js";
import { scenarioGraph } from "./support/scenario-graph.js";

const scenario = process.argv[2] ?? "medium";
const rounds = 9;

const graph = scenarioGraph(scenario);

const atTheBound = [
  ...Array.from({ length: defaultSelectorLimits.maxRequirements - 1 }, (_, i) => `!absent-${i}`),
  "absent-final",
].join(",");

interface Operation {
  name: string;
  /** Field work: priced by the rule's weights. Scan work: counted in filter evaluations. */
  work: "fields" | "scan";
  query: string;
  variables?: Record<string, unknown>;
  /** For scan work: the filter each alias scans with, and how many aliases there are. */
  scan?: { filter: ResourceFilter; aliases: number };
}

const aliased = (count: number, field: string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(" ");

const operations: Operation[] = [
  {
    name: "a page of 1000, six small fields each",
    work: "fields",
    query:
      "{ resources(first: 1000) { edges { node { uid name namespace kind apiVersion resourceVersion } } } }",
  },
  {
    name: "a page of 1000 whole objects",
    work: "fields",
    query: "{ resources(first: 1000) { edges { node { object } } } }",
  },
  {
    name: "a page of 1000, spec and status",
    work: "fields",
    query: "{ resources(first: 1000) { edges { node { spec status } } } }",
  },
  {
    name: "every object counted, no filter, 10 aliases",
    work: "scan",
    query: `{ ${aliased(10, "resources(first: 0) { totalCount }")} }`,
    scan: { filter: {}, aliases: 10 },
  },
  {
    name: "every object against a two-term selector no index narrows, 10 aliases",
    work: "scan",
    query: `{ ${aliased(10, 'resources(first: 0, filter: { labelSelector: "app notin (x),tier!=db" }) { totalCount }')} }`,
    scan: { filter: { labelSelector: "app notin (x),tier!=db" }, aliases: 10 },
  },
  {
    name: `every object against a selector at the bound (${defaultSelectorLimits.maxRequirements} requirements)`,
    work: "scan",
    query: "query Bound($s: String) { resources(first: 0, filter: { labelSelector: $s }) { totalCount } }",
    variables: { s: atTheBound },
    scan: { filter: { labelSelector: atTheBound }, aliases: 1 },
  },
];
const baselineQuery = "{ __typename }";

const server = await startServer({
  graph,
  host: "127.0.0.1",
  port: 0,
  logger: pino({ level: "silent" }),
  readiness: () => ({ ready: true }),
  limits: { maxCost: Number.MAX_SAFE_INTEGER, maxResponseBytes: Number.MAX_SAFE_INTEGER },
});

async function timed(query: string, variables?: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors !== undefined) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(body.errors)}`);
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

const baseline: number[] = [];
const times = operations.map(() => [] as number[]);
for (let r = 0; r < rounds + 1; r++) {
  const base = await timed(baselineQuery);
  const these = [];
  for (const operation of operations) these.push(await timed(operation.query, operation.variables));
  if (r === 0) continue; // the first round warms up the JIT and the selector cache
  baseline.push(base);
  for (const [i, ms] of these.entries()) times[i]!.push(ms);
}
await server.close();

const pages = {
  defaultPageSize: defaultServerLimits.defaultPageSize,
  maxPageSize: defaultServerLimits.maxPageSize,
};
const ruleCost = (operation: Operation) =>
  operationCost(
    { schema, document: parse(operation.query), variableValues: operation.variables },
    pages,
    (f) => graph.scanSize(f),
  )!;
const fieldCost = (operation: Operation) =>
  operationCost(
    { schema, document: parse(operation.query), variableValues: operation.variables },
    pages,
    () => 0,
  )!;
const baselineMs = median(baseline);

const measured = operations.map((operation, i) => {
  const ms = times[i]!;
  const workMs = Math.max(0, median(ms) - baselineMs);
  const evaluations =
    operation.scan === undefined
      ? undefined
      : operation.scan.aliases *
        graph.scanSize(operation.scan.filter) *
        (1 + filterCost(operation.scan.filter));
  return {
    name: operation.name,
    work: operation.work,
    ms: { median: round(median(ms), 1), min: round(Math.min(...ms), 1), max: round(Math.max(...ms), 1) },
    cost: ruleCost(operation),
    microsecondsPerCostUnit: round((workMs * 1000) / ruleCost(operation)),
    ...(operation.work === "fields"
      ? {
          fieldCost: fieldCost(operation),
          microsecondsPerFieldUnit: round((workMs * 1000) / fieldCost(operation)),
        }
      : { evaluations, microsecondsPerEvaluation: round((workMs * 1000) / evaluations!, 4) }),
  };
});

const perFieldUnit = median(
  measured.flatMap((m) => ("microsecondsPerFieldUnit" in m ? [m.microsecondsPerFieldUnit] : [])),
);
const perEvaluation = median(
  measured.flatMap((m) => ("microsecondsPerEvaluation" in m ? [m.microsecondsPerEvaluation] : [])),
);
const result = {
  benchmark: "query-cost",
  scenario,
  node: process.version,
  objects: graph.size,
  rounds,
  baseline: { what: baselineQuery, medianMs: round(baselineMs, 2) },
  operations: measured,
  microsecondsPerFieldUnit: perFieldUnit,
  microsecondsPerEvaluation: perEvaluation,
  evaluationsPerCostUnitMeasured: round(perFieldUnit / perEvaluation, 1),
  evaluationsPerCostUnitUsed: evaluationsPerCostUnit,
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, scenario === "medium" ? "query-cost.json" : `query-cost-${scenario}.json`),
  `${JSON.stringify(result, null, 2)}\n`,
);
