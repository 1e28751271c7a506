import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/api/index.js";
import type { ResourceFilter } from "../../src/graph/index.js";
import { evaluationsPerCostUnit, operationCost } from "../../src/server/query-cost.js";

const pages = { defaultPageSize: 100, maxPageSize: 1000 };

function costOf(
  query: string,
  scanSize: (filter: ResourceFilter) => number,
  variables = {},
): number | undefined {
  return operationCost({ schema, document: parse(query), variableValues: variables }, pages, scanSize);
}

describe("the cost of a scan", () => {
  it("charges a list by the objects the graph would evaluate its filter against", () => {
    const asked: ResourceFilter[] = [];
    const scanSize = (filter: ResourceFilter) => {
      asked.push(filter);
      return filter.kinds?.includes("Pod") ? 4000 : 40;
    };
    // resources 1, its scan, and a page of none.
    const pods = costOf('{ resources(first: 0, filter: { kinds: ["Pod"] }) { totalCount } }', scanSize);
    expect(pods).toBe(1 + Math.ceil((4000 * (1 + 1)) / evaluationsPerCostUnit));
    expect(asked).toEqual([{ kinds: ["Pod"] }]);
    // Without a filter every object is visited once.
    expect(costOf("{ resources(first: 0) { totalCount } }", scanSize)).toBe(
      1 + Math.ceil(40 / evaluationsPerCostUnit),
    );
  });

  it("charges each requirement and value of a selector per object scanned", () => {
    const objects = 10_000;
    const cost = (labelSelector: string) =>
      costOf(
        "query Q($s: String) { resources(first: 0, filter: { labelSelector: $s }) { totalCount } }",
        () => objects,
        {
          s: labelSelector,
        },
      );
    // app in (a,b,c): one requirement, three values; !absent: one requirement.
    expect(cost("app in (a,b,c),!absent")).toBe(
      1 + Math.ceil((objects * (1 + 4 + 1)) / evaluationsPerCostUnit),
    );
    expect(cost("app")).toBe(1 + Math.ceil((objects * 2) / evaluationsPerCostUnit));
  });

  it("charges a subscription's filter per change, whatever the graph holds", () => {
    const query =
      'subscription { resourceChanges(filter: { kinds: ["Pod"], labelSelector: "app=web" }) { sequence } }';
    const small = costOf(query, () => 0);
    const huge = costOf(query, () => 1_000_000);
    // The new state and the previous one, at 1 + 1 (kinds) + 2 (one requirement, one value) each.
    expect(small).toBe(1 + Math.ceil((2 * 4) / evaluationsPerCostUnit) + 1);
    expect(huge).toBe(small);
  });

  it("multiplies scans by aliases", () => {
    const scanSize = () => 8000;
    const one = costOf("{ resources(first: 0) { totalCount } }", scanSize)!;
    const thirty = Array.from({ length: 30 }, (_, i) => `a${i}: resources(first: 0) { totalCount }`).join(
      " ",
    );
    expect(costOf(`{ ${thirty} }`, scanSize)).toBe(30 * one);
  });
});

describe("ordinary operations on a large graph", () => {
  // A graph of 240,000 objects, 150,000 of them Pods, as the scale scenario holds: what its indexes say.
  const scanSize = (filter: ResourceFilter) => {
    if (filter.labelSelector?.includes("app=web")) return 300; // the pods of one app
    if (filter.namespaces?.length) return 2_400 * filter.namespaces.length; // one namespace's objects
    if (filter.kinds?.includes("Pod")) return 150_000;
    return 240_000;
  };
  const budget = 100_000;
  const operations: Record<string, string> = {
    "a first page of Pods with a two-term selector no index narrows":
      '{ resources(filter: { kinds: ["Pod"], labelSelector: "app notin (x),tier!=db" }) { totalCount edges { node { name namespace labels } } } }',
    "a first page of Pods with a two-term selector an index narrows":
      '{ resources(filter: { kinds: ["Pod"], labelSelector: "app=web,tier!=db" }) { totalCount edges { node { name namespace labels } } } }',
    "a namespace's workloads":
      '{ resources(first: 1000, filter: { namespaces: ["shop"], kinds: ["Deployment", "StatefulSet", "DaemonSet"] }) { edges { node { name kind spec status } } } }',
    "a 1,000-object page of one kind":
      '{ resources(first: 1000, filter: { kinds: ["Pod"] }) { totalCount edges { cursor node { name namespace object } } } }',
    "an unfiltered 1,000-object page":
      "{ resources(first: 1000) { edges { node { kind namespace name } } } }",
  };

  for (const [name, query] of Object.entries(operations)) {
    it(`keeps ${name} well inside the budget`, () => {
      const cost = costOf(query, scanSize)!;
      expect(cost).toBeGreaterThan(0);
      expect(cost).toBeLessThan(budget * 0.4);
    });
  }
});
