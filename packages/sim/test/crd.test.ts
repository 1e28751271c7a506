import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, namesOf, request, startEmpty, WatchReader } from "./sim-client.js";

const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

function widgetCrd(scope = "Namespaced") {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope,
      names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
        },
      ],
    },
  };
}

describe("simulator CustomResourceDefinitions", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("serves a CRD's resources once created, and removes them and their objects once deleted", async () => {
    sim = await startEmpty();
    expect((await get(sim, "/apis/example.com/v1")).status).toBe(404);
    const created = await request(sim, "POST", crds, widgetCrd());
    expect(created.status).toBe(201);
    const conditions = (created.body.status as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions.find((condition) => condition.type === "Established")?.status).toBe("True");

    const groups = await get(sim, "/apis");
    expect((groups.body.groups as { name: string }[]).map((group) => group.name)).toContain("example.com");
    const group = await get(sim, "/apis/example.com");
    expect(group.body.preferredVersion).toEqual({ groupVersion: "example.com/v1", version: "v1" });
    const resources = await get(sim, "/apis/example.com/v1");
    expect(resources.body.resources).toEqual([
      expect.objectContaining({ name: "widgets", kind: "Widget", namespaced: true, shortNames: ["wd"] }),
      expect.objectContaining({ name: "widgets/status", kind: "Widget" }),
    ]);

    const watch = await WatchReader.open(
      sim,
      `/apis/example.com/v1/widgets?watch=1&resourceVersion=${sim.resourceVersion()}`,
    );
    const widget = await request(sim, "POST", "/apis/example.com/v1/namespaces/default/widgets", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1" },
      spec: { size: 3 },
    });
    expect(widget.status).toBe(201);
    const listed = await get(sim, "/apis/example.com/v1/widgets");
    expect(listed.body.kind).toBe("WidgetList");
    // Custom resources are unstructured: their list items keep kind and apiVersion.
    expect((listed.body.items as { kind: string }[])[0]!.kind).toBe("Widget");
    const table = await get(sim, "/apis/example.com/v1/namespaces/default/widgets", {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect((table.body.columnDefinitions as { name: string }[]).map((column) => column.name)).toEqual([
      "Name",
      "Size",
      "Age",
    ]);
    expect((table.body.rows as { cells: unknown[] }[])[0]!.cells.slice(0, 2)).toEqual(["w1", 3]);
    const smp = await request(
      sim,
      "PATCH",
      "/apis/example.com/v1/namespaces/default/widgets/w1",
      { spec: { size: 4 } },
      {
        "content-type": "application/strategic-merge-patch+json",
      },
    );
    expect(smp.status).toBe(415);

    const deleted = await request(sim, "DELETE", `${crds}/widgets.example.com`);
    expect(deleted.status).toBe(200);
    const events = await watch.end();
    expect(namesOf(events)).toEqual(["ADDED:w1", "DELETED:w1"]);
    expect((await get(sim, "/apis/example.com/v1")).status).toBe(404);
    expect((await get(sim, "/apis/example.com/v1/widgets")).status).toBe(404);
    const after = await get(sim, "/apis");
    expect((after.body.groups as { name: string }[]).map((entry) => entry.name)).not.toContain("example.com");
  });

  it("rejects an invalid CRD with 422 and the fields at fault", async () => {
    sim = await startEmpty();
    const bad = await request(sim, "POST", crds, {
      ...widgetCrd(),
      metadata: { name: "wrong.example.com" },
      spec: { ...widgetCrd().spec, scope: "Galaxy" },
    });
    expect(bad.status).toBe(422);
    const fields = (bad.body.details as { causes: { field: string }[] }).causes.map((cause) => cause.field);
    expect(fields).toEqual(expect.arrayContaining(["spec.scope", "metadata.name"]));
    expect((await get(sim, "/apis/example.com/v1")).status).toBe(404);
  });

  it("serves cluster-scoped custom resources", async () => {
    sim = await startEmpty();
    await request(sim, "POST", crds, widgetCrd("Cluster"));
    const created = await request(sim, "POST", "/apis/example.com/v1/widgets", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "global" },
    });
    expect(created.status).toBe(201);
    expect((created.body.metadata as { namespace?: string }).namespace).toBeUndefined();
    expect((await get(sim, "/apis/example.com/v1/widgets/global")).status).toBe(200);
  });
});
