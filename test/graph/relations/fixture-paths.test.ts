import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseFieldPath, readPath } from "../../../src/graph/relations/field-path.js";
import { builtinRelationRules, relationRulesSchema } from "../../../src/graph/relations/index.js";

// The API's own testdata objects, every field filled in, when the shared fixtures are present: each
// path a built-in rule reads must exist in the real type, so that a typo cannot hide behind a test
// written with the same typo.
const fixtures = fileURLToPath(new URL("../../../../shared/fixtures/k8s/objects/", import.meta.url));
const present = existsSync(fixtures);

function fixtureOf(group: string, kind: string): Record<string, unknown> | undefined {
  if (!present) return undefined;
  const prefix = `${group === "" ? "core" : group}.`;
  const file = readdirSync(fixtures).find((f) => f.startsWith(prefix) && f.endsWith(`.${kind}.json`));
  return file === undefined
    ? undefined
    : (JSON.parse(readFileSync(`${fixtures}${file}`, "utf8")) as Record<string, unknown>);
}

describe.skipIf(!present)("built-in rule paths against the API's testdata objects", () => {
  const rules = relationRulesSchema.parse(builtinRelationRules);

  it("find a value at every path a rule reads in the kinds it reads, where the type has the path's first fields", () => {
    let checked = 0;
    const missing: string[] = [];
    for (const rule of rules) {
      if (!("from" in rule)) continue;
      const paths = "ref" in rule ? rule.ref.paths : rule.selector.paths;
      for (const { group, kind } of rule.from) {
        const fixture = fixtureOf(group, kind);
        if (fixture === undefined) continue;
        for (const text of paths) {
          const path = parseFieldPath(text);
          // Paths for another kind's pod template (spec.template… on a Pod) do not apply to this one.
          if (readPath(fixture, path.slice(0, 2)).length === 0 || text.startsWith("metadata.labels"))
            continue;
          checked++;
          if (readPath(fixture, path).length === 0) missing.push(`${rule.type}: ${kind} ${text}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });
});
