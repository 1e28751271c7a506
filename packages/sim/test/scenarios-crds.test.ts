import { afterAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/index.js";
import { generateScenario } from "../src/scenarios/index.js";

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === "object" && value !== null ? (value as Json) : {};

describe("the crds scenario", () => {
  const objects = generateScenario("crds", 1);
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  const customGroups = new Set(crds.map((c) => asRecord(c.spec).group));
  const custom = objects.filter((o) => customGroups.has(String(o.apiVersion).split("/")[0]));

  it("is the demo plus operators' CRDs and their resources", () => {
    const demo = generateScenario("demo", 1);
    expect(objects.slice(0, demo.length)).toEqual(demo);
    expect(crds.map((c) => c.metadata?.name).sort()).toEqual([
      "certificates.cert-manager.io",
      "clusterissuers.cert-manager.io",
      "servicemonitors.monitoring.coreos.com",
    ]);
    expect(custom.length).toBeGreaterThanOrEqual(5);
  });

  it("gives every custom resource a CRD that defines its group, kind and scope", () => {
    for (const object of custom) {
      const [group, version] = String(object.apiVersion).split("/");
      const crd = crds.find((c) => {
        const spec = asRecord(c.spec);
        return spec.group === group && asRecord(spec.names).kind === object.kind;
      });
      expect(crd, `${object.kind} ${object.metadata?.name}`).toBeDefined();
      const spec = asRecord(crd?.spec);
      expect((spec.versions as Json[]).some((v) => v.name === version && v.served === true)).toBe(true);
      expect(spec.scope === "Namespaced").toBe(object.metadata?.namespace !== undefined);
    }
  });

  it("issues the certificates into the secrets the ingresses use", () => {
    for (const cert of custom.filter((o) => o.kind === "Certificate")) {
      const secretName = asRecord(cert.spec).secretName;
      const secret = objects.find(
        (o) =>
          o.kind === "Secret" &&
          o.metadata?.namespace === cert.metadata?.namespace &&
          o.metadata?.name === secretName,
      );
      expect(secret?.type, String(secretName)).toBe("kubernetes.io/tls");
    }
  });

  describe("loaded into the simulator", () => {
    let sim: RunningSimulator | undefined;
    afterAll(async () => {
      await sim?.close();
    });

    it("serves the custom resources", async () => {
      sim = await startSimulator({ scenario: "crds", seed: 1 });
      expect(
        sim.api
          .list("cert-manager.io", "v1", "certificates")
          .map((c) => c.metadata?.name)
          .sort(),
      ).toEqual(["blog-tls", "frontend-tls"]);
      expect(sim.api.list("cert-manager.io", "v1", "clusterissuers")).toHaveLength(1);
      expect(sim.api.list("monitoring.coreos.com", "v1", "servicemonitors", "shop")).toHaveLength(1);
    });
  });
});
