import { describe, expect, it } from "vitest";
import {
  compileLabelSelector,
  defaultSelectorLimits,
  labelEqualities,
  parseLabelRequirements,
  SelectorError,
} from "../src/index.js";

describe("label selectors", () => {
  const labels = { app: "web", tier: "frontend", "example.com/zone": "a", replicas: "3", empty: "" };
  const cases: [string, boolean][] = [
    ["", true],
    ["   ", true],
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["app in (web, db)", true],
    ["app in (db)", false],
    ["app notin (db)", true],
    ["missing notin (db)", true],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["empty", true],
    ["empty=", true],
    ["empty in ()", true],
    ["app in (,web)", true],
    ["app=web,tier in (frontend,backend),!missing", true],
    ["app=web,tier=backend", false],
    ["example.com/zone=a", true],
    ["replicas>2", true],
    ["replicas<2", false],
    ["app>2", false],
    ["missing<2", false],
    // "in" and "notin" are keywords only where an operator stands.
    ["in notin (notin)", true],
    ["in in (in)", false],
  ];
  for (const [selector, expected] of cases) {
    it(`"${selector}" → ${expected}`, () => {
      expect(compileLabelSelector(selector).matches(labels)).toBe(expected);
    });
  }

  it("sorts requirements by key and keeps a set's values once", () => {
    expect(parseLabelRequirements("b=1,a in (x,x,y),!c")).toEqual([
      { key: "a", operator: "in", values: ["x", "y"] },
      { key: "b", operator: "=", values: ["1"] },
      { key: "c", operator: "!", values: [] },
    ]);
  });

  // The messages labels.Parse gives, with the input quoted.
  it.each([
    ["app=(", `unable to parse requirement: found '(', expected: identifier`],
    ["app in (a", `unable to parse requirement: found '', expected: ',' or ')'`],
    ["app in a", `unable to parse requirement: found 'a' expected: '('`],
    ["=web", `found '=', expected: !, identifier, or 'end of string'`],
    ["app=we b", `found 'b', expected: ',' or 'end of string'`],
    ["a,,b", `found ',', expected: identifier after ','`],
    ["a,", `found '', expected: identifier after ','`],
    ["a b", `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`],
    ["app>x", `for 'Gt', 'Lt' operators, the value must be an integer`],
    ["Example.com/a=b", "prefix part a lowercase RFC 1123 subdomain"],
    [`${"k".repeat(64)}=v`, "name part must be no more than 63 characters"],
    [`k=${"v".repeat(64)}`, "must be no more than 63 characters"],
    ["k=-v", "a valid label must be an empty string or consist of alphanumeric characters"],
  ])("rejects %s", (bad, message) => {
    expect(() => compileLabelSelector(bad)).toThrow(SelectorError);
    expect(() => compileLabelSelector(bad)).toThrow(message);
  });

  it("gives the index the equality requirements, one-value sets among them", () => {
    const selector = compileLabelSelector("app=web,tier==front,zone in (a),role in (x,y),!legacy,env!=prod");
    expect(labelEqualities(selector)).toEqual([
      ["app", "web"],
      ["tier", "front"],
      ["zone", "a"],
    ]);
  });

  it("counts requirements and values as its cost", () => {
    expect(compileLabelSelector("").cost).toBe(0);
    expect(compileLabelSelector("app=web").cost).toBe(2);
    expect(compileLabelSelector("app in (a,b,c),!legacy").cost).toBe(5);
  });
});

describe("label selector bounds", () => {
  it("refuses more requirements than the bound, without parsing the rest", () => {
    // 50,000 requirements (about 850 KB) once blocked the event loop for seconds per evaluation.
    const huge = Array.from({ length: 50_000 }, (_, i) => `key-${i}=value-${i}`).join(",");
    const bounded = { ...defaultSelectorLimits, maxLength: huge.length };
    expect(() => compileLabelSelector(huge, bounded)).toThrow(
      `label selector has more than ${defaultSelectorLimits.maxRequirements} requirements`,
    );
    const atTheBound = Array.from(
      { length: defaultSelectorLimits.maxRequirements },
      (_, i) => `k${i}=v`,
    ).join(",");
    expect(compileLabelSelector(atTheBound).requirements).toHaveLength(defaultSelectorLimits.maxRequirements);
  });

  it("refuses a selector longer than the bound before parsing it", () => {
    const long = `app in (${"a,".repeat(defaultSelectorLimits.maxLength / 2)}b)`;
    expect(() => compileLabelSelector(long)).toThrow(
      /^label selector too long: \d+ characters, at most 65536/,
    );
  });

  it("quotes at most an excerpt of an invalid selector", () => {
    // An invalid 900 KB selector once came back twice in its error (1.8 MB).
    const invalid = `app=${"x".repeat(900_000)} y`;
    const limits = { ...defaultSelectorLimits, maxLength: 1_000_000 };
    let message = "";
    try {
      compileLabelSelector(invalid, limits);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^unable to parse requirement: values\[app\]: Invalid value: "x{80}"… \(900000 characters\)/,
    );
    expect(message.length).toBeLessThan(300);
    expect(() => compileLabelSelector(`${"k".repeat(900_000)}=v`, limits)).toThrow(/… \(900000 characters\)/);
  });
});
