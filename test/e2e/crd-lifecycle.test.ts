// A CRD that appears while meshsync runs: its type is watched within seconds, its kind can be named
// in filters, its objects reach the graph, and deleting the CRD removes them and the kind, while no
// other type relists (shown by syncStatus's relist counters, not by a log line). Beside it, the
// built-in types named by the short names and groups the simulator's discovery gives them.

import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourcesDocument, SyncStatusDocument } from "../generated/graphql.js";
import { query, queryData } from "../support/graphql-client.js";
import { type RunningProcess, type SimAndServe, startSimAndServe } from "../support/processes.js";
import { widgetCrd } from "../support/widget-crd.js";

let processes: SimAndServe;
let sim: RunningProcess;
let graphqlUrl: string;

async function simRequest(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${sim.origin}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function widgetNames(kind = "Widget"): Promise<string[]> {
  const page = await queryData(graphqlUrl, ResourcesDocument, { filter: { kinds: [kind] }, first: 10 });
  return page.resources.edges.map((e) => e.node.name);
}

/** The widget's name wherever it is in the graph: a filter without kinds, which a gone CRD cannot refuse. */
async function objectsNamedW1(): Promise<number> {
  return (await queryData(graphqlUrl, ResourcesDocument, { filter: { names: ["w1"] }, first: 0 })).resources
    .totalCount;
}

/** The error a filter on the Widget kind gets, or undefined when it is served. */
async function widgetKindRefusal(): Promise<string | undefined> {
  const result = await query(graphqlUrl, ResourcesDocument, { filter: { kinds: ["widgets"] }, first: 0 });
  return result.errors?.[0]?.message;
}

async function syncStatus() {
  return (await queryData(graphqlUrl, SyncStatusDocument, {})).syncStatus;
}

beforeAll(async () => {
  processes = await startSimAndServe(["--scenario", "small"]);
  ({ sim, graphqlUrl } = processes);
});

afterAll(async () => {
  await processes?.stop();
});

describe("a CRD created and deleted at run time", () => {
  it("is watched within seconds and dropped with its objects, and nothing else relists", async () => {
    const before = await syncStatus();
    expect(before.some((s) => s.typeName === "widgets.v1.example.com")).toBe(false);
    const unknownKind = 'kinds: the server doesn\'t have a resource type "widgets"';
    expect(await widgetKindRefusal()).toMatch(new RegExp(`^${unknownKind}`));

    await simRequest("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCrd);
    await eventually(
      async () => (await syncStatus()).some((s) => s.typeName === "widgets.v1.example.com" && s.synced),
      10_000,
      "the Widget type watched",
    );
    await simRequest("POST", "/apis/example.com/v1/namespaces/default/widgets", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1" },
      spec: { size: 3 },
    });
    await eventually(async () => (await widgetNames()).includes("w1"), 10_000, "the widget in the graph");
    for (const name of ["widgets", "widget", "Widget.example.com", "widgets.v1.example.com"])
      expect(await widgetNames(name)).toEqual(["w1"]);

    await simRequest("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    await eventually(async () => (await objectsNamedW1()) === 0, 10_000, "the widget gone with its CRD");
    await eventually(
      async () => (await widgetKindRefusal())?.startsWith(unknownKind) === true,
      10_000,
      "the Widget kind unknown",
    );
    await eventually(
      async () => !(await syncStatus()).some((s) => s.typeName === "widgets.v1.example.com"),
      10_000,
      "the Widget type no longer watched",
    );
    const after = await syncStatus();
    expect(after.filter((s) => s.relists > 0).map((s) => s.typeName)).toEqual([]);
    expect(after.map((s) => s.typeName).sort()).toEqual(before.map((s) => s.typeName).sort());
  });
});

describe("kinds named by what the API server's discovery says", () => {
  it("takes its short names, plurals and groups for the built-in types", async () => {
    const count = async (kind: string) =>
      (await queryData(graphqlUrl, ResourcesDocument, { filter: { kinds: [kind] }, first: 0 })).resources
        .totalCount;
    const deployments = await count("Deployment");
    expect(deployments).toBeGreaterThan(0);
    for (const name of ["deploy", "deployments.apps", "deploy.apps", "DEPLOYMENTS"])
      expect(await count(name)).toBe(deployments);
    const services = await count("services");
    expect(services).toBeGreaterThan(0);
    expect(await count("svc")).toBe(services);
    expect(await count("cm")).toBe(await count("ConfigMap"));
  });
});
