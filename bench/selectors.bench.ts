// What a selector and a scan cost a query, and what the cost rule says of them.
// 1. One label selector at the requirement bound, in 30 aliases of one document, over the medium
//    scenario's objects: the time the scans take, against, in the same run and interleaved, a baseline
//    whose 30 selectors differ only in trailing blanks, so each is compiled anew; and the cost the rule
//    gives the document and one alias of it, against the budget.
// 2. A page of 1000 with no filter over the scale scenario (about 240,000 objects), read in slices as
//    the resolver reads it, against the same page read in one go, interleaved: the time to the page and
//    the longest the event loop waited meanwhile (what another client would wait).
// Run: npm run bench selectors
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultSelectorLimits } from "@meshsync/k8s";
import { parse } from "graphql";
import { schema } from "../src/api/index.js";
import { defaultServerLimits } from "../src/server/index.js";
import { operationCost } from "../src/server/query-cost.js";
import { scenarioGraph } from "./support/scenario-graph.js";

const aliases = 30;
const rounds = 7;

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10,
    minMs: Math.round(sorted[0]! * 10) / 10,
    maxMs: Math.round(sorted.at(-1)! * 10) / 10,
  };
};

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

// 1. A selector at the bound in 30 aliases.
const medium = scenarioGraph("medium");
// At the bound: 100 requirements, sorted by key, that every object passes but the last, so each is evaluated.
const requirements = Array.from(
  { length: defaultSelectorLimits.maxRequirements - 1 },
  (_, i) => `!absent-${i}`,
);
const selector = [...requirements, "absent-final"].join(",");

const cached: number[] = [];
const recompiled: number[] = [];
let matched = 0;
for (let round = 0; round < rounds; round++) {
  cached.push(
    timed(() => {
      for (let alias = 0; alias < aliases; alias++)
        matched = medium.list({ labelSelector: selector }).totalCount;
    }),
  );
  recompiled.push(
    timed(() => {
      for (let alias = 0; alias < aliases; alias++) {
        matched = medium.list({
          labelSelector: `${selector}${" ".repeat(round * aliases + alias + 1)}`,
        }).totalCount;
      }
    }),
  );
}

const pages = {
  defaultPageSize: defaultServerLimits.defaultPageSize,
  maxPageSize: defaultServerLimits.maxPageSize,
};
const counts = (count: number) =>
  `query Counts($s: String) { ${Array.from(
    { length: count },
    (_, i) => `a${i}: resources(first: 1, filter: { labelSelector: $s }) { totalCount }`,
  ).join(" ")} }`;
const ruleCost = (count: number) =>
  operationCost(
    { schema, document: parse(counts(count)), variableValues: { s: selector } },
    pages,
    (filter) => medium.scanSize(filter),
  );

// 2. A page of 1000 over about 240,000 objects, sliced and whole.
const scale = scenarioGraph("scale");

/**
 * Runs `read` and reports its time and the longest the event loop was held meanwhile: the longest gap
 * between two turns of a probe that asks for every turn, as another client's request would.
 */
async function withLoopDelay(read: () => Promise<unknown>): Promise<{ ms: number; loopDelayMs: number }> {
  let longest = 0;
  let last = performance.now();
  let probing = true;
  const probe = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  await new Promise((resolve) => setTimeout(resolve, 5));
  longest = 0;
  const started = performance.now();
  await read();
  const ms = performance.now() - started;
  // A turn more, so that the probe sees the end of a read that held the loop to its last moment.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  probing = false;
  return { ms, loopDelayMs: longest };
}

const largeLists = [
  {
    what: "resources(first: 1000) with no filter",
    filter: {},
    first: 1000,
    fields: "uid name namespace kind",
  },
  {
    what: 'resources(first: 100) with a two-term label selector no index narrows ("app notin (x),tier!=db")',
    filter: { labelSelector: "app notin (x),tier!=db" },
    first: 100,
    fields: "uid name namespace kind",
  },
];
const largeListFigures = [];
for (const list of largeLists) {
  const sliced: { ms: number; loopDelayMs: number }[] = [];
  const whole: { ms: number; loopDelayMs: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    sliced.push(await withLoopDelay(() => scale.listInSlices(list.filter, { first: list.first })));
    whole.push(await withLoopDelay(async () => scale.list(list.filter, { first: list.first })));
  }
  const query = `query List($f: ResourceFilter) { resources(first: ${list.first}, filter: $f) { edges { node { ${list.fields} } } } }`;
  largeListFigures.push({
    what: list.what,
    objects: scale.size,
    sliced: {
      what: "read in slices, as the resolver reads it",
      ...stats(sliced.map((r) => r.ms)),
      longestLoopDelay: stats(sliced.map((r) => r.loopDelayMs)),
    },
    baseline: {
      what: "the same page read in one go",
      ...stats(whole.map((r) => r.ms)),
      longestLoopDelay: stats(whole.map((r) => r.loopDelayMs)),
    },
    cost: operationCost(
      { schema, document: parse(query), variableValues: { f: list.filter } },
      pages,
      (filter) => scale.scanSize(filter),
    ),
  });
}

const result = {
  benchmark: "selectors",
  node: process.version,
  rounds,
  selectorInAliases: {
    what: `one ${defaultSelectorLimits.maxRequirements}-requirement label selector in ${aliases} aliases, over every object`,
    objects: medium.size,
    matched,
    cached: stats(cached),
    baseline: {
      what: "the same, each alias a selector text of its own, compiled anew",
      ...stats(recompiled),
    },
    cost: { oneAlias: ruleCost(1), thirtyAliases: ruleCost(aliases), budget: defaultServerLimits.maxCost },
  },
  largeLists: largeListFigures,
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "selectors.json"), `${JSON.stringify(result, null, 2)}\n`);
