// Selectors over HTTP, as kube-apiserver answers them: each kind's own fields, a CRD's
// selectableFields, and bounded 400s for selectors that are too big or wrong.
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, request, startEmpty } from "./sim-client.js";

const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

function crd(kind: string, plural: string, selectableFields: { jsonPath: string }[] = []) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural, singular: plural.slice(0, -1), kind },
      versions: [{ name: "v1", served: true, storage: true, selectableFields }],
    },
  };
}

const names = (body: Record<string, unknown>) =>
  (body.items as { metadata: { name: string } }[]).map((item) => item.metadata.name);

describe("simulator selectors over HTTP", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("selects Services on spec.type and spec.clusterIP", async () => {
    sim = await startEmpty();
    for (const [name, type] of [
      ["lb", "LoadBalancer"],
      ["plain", "ClusterIP"],
    ]) {
      const created = await request(sim, "POST", "/api/v1/namespaces/default/services", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name },
        spec: { type, ports: [{ port: 80 }] },
      });
      expect(created.status).toBe(201);
    }
    const lb = await get(sim, "/api/v1/namespaces/default/services?fieldSelector=spec.type%3DLoadBalancer");
    expect(lb.status).toBe(200);
    expect(names(lb.body)).toEqual(["lb"]);
  });

  it("gives a custom kind named Pod no Pod fields, and a CRD's selectableFields to its resources", async () => {
    sim = await startEmpty();
    expect((await request(sim, "POST", crds, crd("Pod", "pods"))).status).toBe(201);
    expect(
      (await request(sim, "POST", crds, crd("Widget", "widgets", [{ jsonPath: ".spec.color" }]))).status,
    ).toBe(201);
    const customPods = await get(sim, "/apis/example.com/v1/pods?fieldSelector=spec.nodeName%3Dnode-1");
    expect(customPods.status).toBe(400);
    expect(customPods.body.message).toBe("field label not supported: spec.nodeName");
    for (const [name, color] of [
      ["blue-one", "blue"],
      ["red-one", "red"],
    ]) {
      const created = await request(sim, "POST", "/apis/example.com/v1/namespaces/default/widgets", {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name },
        spec: { color },
      });
      expect(created.status).toBe(201);
    }
    const blue = await get(sim, "/apis/example.com/v1/widgets?fieldSelector=spec.color%3Dblue");
    expect(blue.status).toBe(200);
    expect(names(blue.body)).toEqual(["blue-one"]);
    const unknown = await get(sim, "/apis/example.com/v1/widgets?fieldSelector=spec.size%3D1");
    expect(unknown.status).toBe(400);
  });

  it("selects events.k8s.io Events on their regarding fields", async () => {
    sim = await startEmpty();
    for (const name of ["web-1", "web-2"]) {
      const created = await request(sim, "POST", "/api/v1/namespaces/default/events", {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${name}.1` },
        involvedObject: { kind: "Pod", namespace: "default", name },
        reason: "Started",
        type: "Normal",
      });
      expect(created.status).toBe(201);
    }
    const one = await get(
      sim,
      "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb-2",
    );
    expect(one.status).toBe(200);
    expect(names(one.body)).toEqual(["web-2.1"]);
  });

  it("answers a selector with too many requirements with a short 400", async () => {
    sim = await startEmpty();
    const selector = Array.from({ length: 500 }, (_, i) => `k${i}=v`).join(",");
    const response = await get(sim, `/api/v1/configmaps?labelSelector=${encodeURIComponent(selector)}`);
    expect(response.status).toBe(400);
    expect(response.body.message).toBe("label selector has more than 100 requirements");
  });

  it("quotes at most an excerpt of a bad selector in its Status", async () => {
    sim = await startEmpty();
    const label = `app=${"x".repeat(10_000)} y`;
    const labels = await get(sim, `/api/v1/configmaps?labelSelector=${encodeURIComponent(label)}`);
    expect(labels.status).toBe(400);
    expect(labels.body.message).toMatch(
      /^unable to parse requirement: values\[app\]: Invalid value: "x+"… \(10000/,
    );
    expect(JSON.stringify(labels.body).length).toBeLessThan(600);
    const field = "x".repeat(10_000);
    const fields = await get(sim, `/api/v1/configmaps?fieldSelector=${field}`);
    expect(fields.status).toBe(400);
    expect(fields.body.message).toMatch(/^invalid selector: 'x+… \(10000 characters\)'; can't understand/);
    expect(JSON.stringify(fields.body).length).toBeLessThan(600);
  });
});
