// CRD additionalPrinterColumns in the Table form: the JSONPath subset kubectl's columns use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, request, startEmpty } from "./sim-client.js";

const columns = [
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: "Blocked", type: "string", jsonPath: ".status.conditions[?(@.status != 'True')].type" },
  { name: "Images", type: "string", jsonPath: ".spec.containers[*].image" },
  { name: "Last", type: "string", jsonPath: ".spec.containers[-1].name" },
  { name: "Owner", type: "string", jsonPath: ".metadata.labels.example\\.com/owner" },
  { name: "Team", type: "string", jsonPath: ".metadata.labels['example.com/team']" },
  { name: "Size", type: "integer", jsonPath: ".spec.size" },
  { name: "Missing", type: "string", jsonPath: '.status.conditions[?(@.type=="Nope")].status' },
];

describe("printer columns with JSONPath filters", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
    const crd = await request(sim, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        versions: [{ name: "v1", served: true, storage: true, additionalPrinterColumns: columns }],
      },
    });
    expect(crd.status).toBe(201);
    const created = await request(sim, "POST", "/apis/example.com/v1/namespaces/default/gadgets", {
      apiVersion: "example.com/v1",
      kind: "Gadget",
      metadata: { name: "g1", labels: { "example.com/owner": "ana", "example.com/team": "core" } },
      spec: {
        size: 3,
        containers: [
          { name: "a", image: "nginx:1" },
          { name: "b", image: "redis:7" },
        ],
      },
      status: {
        conditions: [
          { type: "Synced", status: "True" },
          { type: "Ready", status: "False" },
        ],
      },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("fills the cells as the real server's printer does", async () => {
    const table = await get(sim, "/apis/example.com/v1/namespaces/default/gadgets", {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.status).toBe(200);
    const names = (table.body.columnDefinitions as { name: string }[]).map((column) => column.name);
    expect(names).toEqual(["Name", ...columns.map((column) => column.name), "Age"]);
    const [row] = table.body.rows as { cells: unknown[] }[];
    // The first value found, or null when nothing matches.
    expect(row!.cells.slice(0, -1)).toEqual(["g1", "False", "Ready", "nginx:1", "b", "ana", "core", 3, null]);
  });
});
