import { describe, expect, it } from "vitest";
import {
  parseSelectionConfig,
  Selection,
  SelectionError,
  selectionFromWatchList,
} from "../../src/kube/selection.js";
import type { ResourceType } from "../../src/kube/types.js";

function type(resource: string, version: string, group: string): ResourceType {
  return { resource, version, group, kind: resource, namespaced: true, verbs: ["list", "watch"] };
}

const pods = type("pods", "v1", "");
const deployments = type("deployments", "v1", "apps");
const coreEvents = type("events", "v1", "");
const events = type("events", "v1", "events.k8s.io");

describe("Selection", () => {
  it("by default takes everything except Events", () => {
    const selection = new Selection();
    expect([pods, deployments, coreEvents, events].map((t) => selection.includes(t))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(new Selection({ includeEvents: true }).includes(coreEvents)).toBe(true);
  });

  it("asked for Events, watches them once, under the core name, not also under events.k8s.io", () => {
    for (const config of [{ includeEvents: true }, { includeEvents: true, blacklist: ["pods.v1."] }]) {
      const selection = new Selection(config);
      expect([coreEvents, events].map((t) => selection.includes(t))).toEqual([true, false]);
    }
    const named = new Selection({ whitelist: [{ Resource: "events.v1.events.k8s.io", Events: ["ADDED"] }] });
    expect([coreEvents, events].map((t) => named.includes(t))).toEqual([false, true]);
  });

  it("with a whitelist takes only the named types and passes on only their listed events", () => {
    const selection = new Selection({
      whitelist: [
        { Resource: "pods.v1.", Events: ["ADDED", "DELETED"] },
        { Resource: "events.v1.", Events: ["ADDED"] },
      ],
    });
    expect([pods, deployments, coreEvents].map((t) => selection.includes(t))).toEqual([true, false, true]);
    const forwards = selection.forwards(pods);
    expect(["ADDED", "MODIFIED", "DELETED"].map((e) => forwards(e as "ADDED"))).toEqual([true, false, true]);
  });

  it("with a blacklist takes everything else, with all events", () => {
    const selection = new Selection({ blacklist: ["deployments.v1.apps"] });
    expect(selection.includes(pods)).toBe(true);
    expect(selection.includes(deployments)).toBe(false);
    expect(selection.forwards(pods)("MODIFIED")).toBe(true);
  });

  it("refuses a whitelist and a blacklist together", () => {
    expect(
      () => new Selection({ whitelist: [{ Resource: "pods.v1.", Events: ["ADDED"] }], blacklist: ["x.v1."] }),
    ).toThrow(SelectionError);
  });
});

describe("reading a selection", () => {
  it("reads MeshSync's ConfigMap-shaped watch-list with JSON text values", () => {
    const config = selectionFromWatchList({
      data: { whitelist: '[{"Resource":"pods.v1.","Events":["ADDED","MODIFIED","DELETED"]}]' },
    });
    expect(config).toEqual({
      whitelist: [{ Resource: "pods.v1.", Events: ["ADDED", "MODIFIED", "DELETED"] }],
    });
    expect(selectionFromWatchList({ data: { blacklist: '["events.v1."]' } })).toEqual({
      blacklist: ["events.v1."],
    });
  });

  it("explains what is wrong with a bad watch-list instead of guessing", () => {
    expect(() => selectionFromWatchList({ data: { whitelist: "[not json" } })).toThrow(
      /whitelist: not valid JSON/,
    );
    expect(() =>
      selectionFromWatchList({ data: { whitelist: '[{"Resource":"pods","Events":["ADDED"]}]' } }),
    ).toThrow(/not <plural>.<version>.<group>/);
    expect(() =>
      selectionFromWatchList({ data: { whitelist: '[{"Resource":"pods.v1.","Events":["CREATED"]}]' } }),
    ).toThrow(/ADDED, MODIFIED, DELETED/);
  });

  it("checks a plain config object", () => {
    expect(parseSelectionConfig({ blacklist: ["pods.v1."], includeEvents: true })).toEqual({
      blacklist: ["pods.v1."],
      includeEvents: true,
    });
    expect(parseSelectionConfig(undefined)).toEqual({});
    expect(() => parseSelectionConfig({ blacklist: "pods.v1." })).toThrow(/expected a list/);
    expect(() => parseSelectionConfig([1])).toThrow(/expected a mapping/);
  });
});
