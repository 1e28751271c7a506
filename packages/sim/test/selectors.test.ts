import { describe, expect, it } from "vitest";
import type { KubeObject } from "../src/object-api.js";
import { parseFieldSelector, parseLabelSelector } from "../src/selectors.js";
import { StatusError } from "../src/store/status-error.js";

const labelled = (labels: Record<string, string>): KubeObject => ({ metadata: { name: "x", labels } });

describe("label selectors", () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ["app=web", { app: "web" }, true],
    ["app==web", { app: "web" }, true],
    ["app=web", { app: "db" }, false],
    ["app!=web", { app: "db" }, true],
    ["app!=web", {}, true],
    ["app in (web, db)", { app: "db" }, true],
    ["app in (web,db)", { app: "cache" }, false],
    ["app notin (web,db)", { app: "cache" }, true],
    ["app notin (web,db)", {}, true],
    ["app", { app: "" }, true],
    ["app", {}, false],
    ["!app", {}, true],
    ["!app", { app: "x" }, false],
    ["app=web,tier in (front),!legacy", { app: "web", tier: "front" }, true],
    ["app=web,tier in (front),!legacy", { app: "web", tier: "front", legacy: "1" }, false],
    ["example.com/role=edge", { "example.com/role": "edge" }, true],
    ["", { any: "thing" }, true],
    ["app=", { app: "" }, true],
  ];
  for (const [selector, labels, expected] of cases) {
    it(`"${selector}" ${expected ? "matches" : "does not match"} ${JSON.stringify(labels)}`, () => {
      expect(parseLabelSelector(selector)(labelled(labels))).toBe(expected);
    });
  }

  for (const bad of ["app in (a", "=x", "app=web,", "app in a", "a b", "app=x y"]) {
    it(`rejects "${bad}" with 400`, () => {
      expect(() => parseLabelSelector(bad)).toThrow(StatusError);
      try {
        parseLabelSelector(bad);
      } catch (error) {
        expect((error as StatusError).code).toBe(400);
      }
    });
  }
});

describe("field selectors", () => {
  const pod: KubeObject = {
    metadata: { name: "p", namespace: "ns" },
    spec: { nodeName: "node-1" },
    status: { phase: "Running" },
  };

  it("supports metadata fields everywhere and pod fields on pods", () => {
    expect(parseFieldSelector("metadata.name=p", "", "Pod")(pod)).toBe(true);
    expect(parseFieldSelector("metadata.namespace==ns,spec.nodeName=node-1", "", "Pod")(pod)).toBe(true);
    expect(parseFieldSelector("status.phase!=Running", "", "Pod")(pod)).toBe(false);
    expect(parseFieldSelector("spec.nodeName=", "", "Pod")({ metadata: { name: "q" }, spec: {} })).toBe(true);
  });

  it("rejects fields the kind does not support with 400", () => {
    expect(() => parseFieldSelector("spec.nodeName=x", "", "ConfigMap")).toThrow(
      /field label not supported: spec.nodeName/,
    );
    expect(() => parseFieldSelector("nonsense", "", "Pod")).toThrow(StatusError);
  });
});
