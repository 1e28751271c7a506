// The simulator's discovery answers, read over HTTP, against documents from a real API server.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, startEmpty } from "./sim-client.js";

const discoveryDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/fixtures/k8s/discovery",
);
const haveFixtures = existsSync(join(discoveryDir, "apis.json"));
if (!haveFixtures)
  console.warn(`no discovery fixtures at ${discoveryDir}: skipping the comparison with a real server`);

type Json = Record<string, unknown>;
const readFixture = (name: string): Json =>
  JSON.parse(readFileSync(join(discoveryDir, name), "utf8")) as Json;

/** What must match a real server: names, kinds, scope, verbs, short names, categories, subresources. */
function comparable(resources: unknown): Json[] {
  return (resources as Json[])
    .map((entry) => ({
      name: entry.name,
      kind: entry.kind,
      namespaced: entry.namespaced,
      verbs: [...((entry.verbs as string[]) ?? [])].sort(),
      shortNames: [...((entry.shortNames as string[]) ?? [])].sort(),
      categories: [...((entry.categories as string[]) ?? [])].sort(),
      ...(entry.group !== undefined ? { group: entry.group, version: entry.version } : {}),
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

describe("discovery", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers /api, /apis and each group the way a real server shapes them", async () => {
    const api = await get(sim, "/api");
    expect(api.body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const apis = await get(sim, "/apis");
    expect(apis.body.kind).toBe("APIGroupList");
    const apps = (apis.body.groups as Json[]).find((group) => group.name === "apps");
    expect(apps).toEqual({
      name: "apps",
      versions: [{ groupVersion: "apps/v1", version: "v1" }],
      preferredVersion: { groupVersion: "apps/v1", version: "v1" },
    });
    const autoscaling = await get(sim, "/apis/autoscaling");
    expect(autoscaling.body.kind).toBe("APIGroup");
    expect((autoscaling.body.preferredVersion as Json).version).toBe("v2");
    const core = await get(sim, "/api/v1");
    expect(core.body).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
    const pods = (core.body.resources as Json[]).find((entry) => entry.name === "pods");
    expect(pods).toMatchObject({
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      shortNames: ["po"],
      categories: ["all"],
    });
    const scale = (await get(sim, "/apis/apps/v1")).body.resources as Json[];
    expect(scale.find((entry) => entry.name === "deployments/scale")).toMatchObject({
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      singularName: "",
    });
  });

  it("serves the aggregated (v2) document when asked for it", async () => {
    const accept =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    for (const path of ["/api", "/apis"]) {
      const response = await get(sim, path, { accept });
      expect(response.headers.get("content-type")).toBe(
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
      );
      expect(response.body).toMatchObject({
        kind: "APIGroupDiscoveryList",
        apiVersion: "apidiscovery.k8s.io/v2",
      });
    }
    const older = await get(sim, "/apis", {
      accept: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
    });
    expect(older.headers.get("content-type")).toBe(
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
    );
    expect(older.body.apiVersion).toBe("apidiscovery.k8s.io/v2beta1");
    const plain = await get(sim, "/apis", { accept: "application/json" });
    expect(plain.body.kind).toBe("APIGroupList");
    const core = await get(sim, "/api", { accept });
    const coreGroup = (core.body.items as Json[])[0]!;
    expect((coreGroup.metadata as Json).name).toBe("");
    const resources = ((coreGroup.versions as Json[])[0]!.resources as Json[]).map((entry) => entry.resource);
    expect(resources).toContain("pods");
  });

  it.skipIf(!haveFixtures)(
    "matches a real server's resource lists for every group version it serves",
    async () => {
      const compared: string[] = [];
      for (const file of readdirSync(discoveryDir).filter((name) => /^apis__.+__.+\.json$/.test(name))) {
        const [, group, version] = file.replace(/\.json$/, "").split("__");
        const served = await get(sim, `/apis/${group}/${version}`);
        if (served.status === 404) continue;
        const fixture = readFixture(file);
        expect(comparable(served.body.resources), `${group}/${version}`).toEqual(
          comparable(fixture.resources),
        );
        compared.push(`${group}/${version}`);
      }
      for (const required of [
        "apps/v1",
        "batch/v1",
        "networking.k8s.io/v1",
        "rbac.authorization.k8s.io/v1",
        "coordination.k8s.io/v1",
      ]) {
        expect(compared).toContain(required);
      }
    },
  );

  it.skipIf(!haveFixtures)(
    "matches a real server's core group, apart from what the fixture itself lacks",
    async () => {
      const served = comparable((await get(sim, "/api/v1")).body.resources).filter(
        (entry) => entry.name !== "pods/resize",
      );
      expect(served).toEqual(comparable(readFixture("api__v1.json").resources));
    },
  );

  it.skipIf(!haveFixtures)("offers each group's versions with the real preferred version", async () => {
    const fixtureGroups = readFixture("apis.json").groups as Json[];
    const servedGroups = (await get(sim, "/apis")).body.groups as Json[];
    for (const group of servedGroups) {
      const real = fixtureGroups.find((candidate) => candidate.name === group.name);
      if (!real) continue;
      expect(group.preferredVersion, String(group.name)).toEqual(real.preferredVersion);
      const realVersions = (real.versions as Json[]).map((entry) => entry.version);
      for (const entry of group.versions as Json[]) expect(realVersions).toContain(entry.version);
    }
  });
});
