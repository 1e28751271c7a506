import { describe, expect, it } from "vitest";
import { compileFieldSelector, compileLabelSelector, SelectorError } from "../src/selectors.js";

describe("label selectors", () => {
  const labels = { app: "web", tier: "frontend", "example.com/zone": "a", replicas: "3" };
  const cases: [string, boolean][] = [
    ["", true],
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
    ["app=web,tier in (frontend,backend),!missing", true],
    ["app=web,tier=backend", false],
    ["example.com/zone=a", true],
    ["replicas>2", true],
    ["replicas<2", false],
  ];
  for (const [selector, expected] of cases) {
    it(`"${selector}" → ${expected}`, () => {
      expect(compileLabelSelector(selector)(labels)).toBe(expected);
    });
  }

  it.each(["app=(", "app in (a", "=web", "app=we b", "a,,b", "app>x"])("rejects %s", (bad) => {
    expect(() => compileLabelSelector(bad)).toThrow(SelectorError);
  });
});

describe("field selectors", () => {
  const fields: Record<string, string> = {
    "metadata.name": "a,b",
    "status.phase": "Running",
    "spec.nodeName": "",
  };
  const read = (p: string) => fields[p];
  it("matches =, == and != with escapes", () => {
    expect(compileFieldSelector("status.phase=Running").matches(read)).toBe(true);
    expect(compileFieldSelector("status.phase==Running,spec.nodeName=").matches(read)).toBe(true);
    expect(compileFieldSelector("status.phase!=Running").matches(read)).toBe(false);
    expect(compileFieldSelector("metadata.name=a\\,b").matches(read)).toBe(true);
    expect(compileFieldSelector("metadata.name=a\\,b").fields).toEqual(["metadata.name"]);
  });
  it("rejects a requirement without an operator", () => {
    expect(() => compileFieldSelector("status.phase")).toThrow(SelectorError);
  });
});
