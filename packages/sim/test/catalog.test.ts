import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  builtinGroups,
  builtinResourceTypes,
  groupPreferredVersions,
  type SimResourceType,
  storageVersionHashOf,
  subresourcesOf,
} from "../src/catalog.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const discoveryDir = resolve(repoRoot, "../shared/fixtures/k8s/discovery");
const haveFixtures = existsSync(join(discoveryDir, "aggregated_v2.json"));
if (!haveFixtures)
  console.warn(`no discovery fixtures at ${discoveryDir}: skipping the catalog's comparison with them`);

/** The shape both fixture formats are reduced to, so one comparison serves both. */
interface Described {
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: { name: string; kind: string; verbs: string[]; group: string; version: string }[];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
function readJson(name: string): Record<string, unknown> {
  return record(JSON.parse(readFileSync(join(discoveryDir, name), "utf8")));
}

/** /api/v1 is an APIResourceList where subresources are entries named "parent/sub". */
function describeCoreFixture(): Described[] {
  const entries = (readJson("api__v1.json").resources as unknown[]).map(record);
  const top = entries.filter((entry) => !text(entry.name).includes("/"));
  return top.map((entry) => ({
    name: text(entry.name),
    singularName: text(entry.singularName),
    kind: text(entry.kind),
    namespaced: entry.namespaced === true,
    verbs: strings(entry.verbs).sort(),
    shortNames: strings(entry.shortNames),
    categories: strings(entry.categories),
    subresources: entries
      .filter((sub) => text(sub.name).startsWith(`${text(entry.name)}/`))
      .map((sub) => ({
        name: text(sub.name).split("/")[1] ?? "",
        kind: text(sub.kind),
        verbs: strings(sub.verbs).sort(),
        group: text(sub.group),
        version: text(sub.version),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

/** The aggregated document covers every /apis group version consistently (see the fixtures' README). */
function describeAggregatedFixture(group: string, version: string): Described[] | undefined {
  const groups = (readJson("aggregated_v2.json").items as unknown[]).map(record);
  const entry = groups.find((item) => text(record(item.metadata).name) === group);
  const versions = (entry?.versions as unknown[] | undefined)?.map(record) ?? [];
  const found = versions.find((item) => item.version === version);
  if (!found) return undefined;
  return (found.resources as unknown[]).map(record).map((resource) => ({
    name: text(resource.resource),
    singularName: text(resource.singularResource),
    kind: text(record(resource.responseKind).kind),
    namespaced: resource.scope === "Namespaced",
    verbs: strings(resource.verbs).sort(),
    shortNames: strings(resource.shortNames),
    categories: strings(resource.categories),
    subresources: ((resource.subresources as unknown[] | undefined) ?? [])
      .map(record)
      .map((sub) => ({
        name: text(sub.subresource),
        kind: text(record(sub.responseKind).kind),
        verbs: strings(sub.verbs).sort(),
        group: text(record(sub.responseKind).group),
        version: text(record(sub.responseKind).version),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

function describeCatalog(types: SimResourceType[]): Described[] {
  return types
    .map((type) => ({
      name: type.name,
      singularName: type.singularName,
      kind: type.kind,
      namespaced: type.namespaced,
      verbs: [...type.verbs].sort(),
      shortNames: type.shortNames ?? [],
      categories: type.categories ?? [],
      subresources: subresourcesOf(type)
        .map((sub) => ({
          name: sub.name,
          kind: sub.kind,
          verbs: [...sub.verbs].sort(),
          group: sub.group ?? "",
          version: sub.version ?? "",
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const byName = (list: Described[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

const catalogGroupVersions = [
  ...new Set(builtinResourceTypes.map((type) => `${type.group}/${type.version}`)),
].map((key) => {
  const [group = "", version = ""] = key.split("/");
  return { group, version };
});

describe("catalog", () => {
  it("has one entry per group, version and resource name", () => {
    const keys = builtinResourceTypes.map((type) => `${type.group}/${type.version}/${type.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("marks exactly the preferred version of each group as preferred", () => {
    for (const type of builtinResourceTypes) {
      expect(type.preferred, `${type.group}/${type.version}/${type.name}`).toBe(
        groupPreferredVersions[type.group] === type.version,
      );
    }
    expect(groupPreferredVersions.autoscaling).toBe("v2");
    expect(groupPreferredVersions[""]).toBe("v1");
  });

  it("lists every group version it serves among the groups, and no group without types", () => {
    const served = new Set(catalogGroupVersions.map(({ group, version }) => `${group}/${version}`));
    const announced = new Set(
      builtinGroups.flatMap((group) => group.versions.map((version) => `${group.name}/${version}`)),
    );
    announced.add("/v1");
    expect([...served].sort()).toEqual([...announced].sort());
  });

  it("covers the types a user of a cluster meets", () => {
    const names = new Set(builtinResourceTypes.map((type) => `${type.group}/${type.name}`));
    for (const expected of [
      "/pods",
      "/bindings",
      "/componentstatuses",
      "apps/deployments",
      "batch/cronjobs",
      "networking.k8s.io/ingresses",
      "discovery.k8s.io/endpointslices",
      "rbac.authorization.k8s.io/clusterroles",
      "coordination.k8s.io/leases",
      "apiextensions.k8s.io/customresourcedefinitions",
      "authorization.k8s.io/subjectaccessreviews",
    ]) {
      expect(names.has(expected), expected).toBe(true);
    }
  });

  it("describes subresources with the kinds a real server answers with", () => {
    const deployments = builtinResourceTypes.find((type) => type.name === "deployments");
    expect(deployments && subresourcesOf(deployments)).toEqual([
      {
        name: "scale",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
        group: "autoscaling",
        version: "v1",
      },
      { name: "status", kind: "Deployment", verbs: ["get", "patch", "update"] },
    ]);
  });
});

describe.skipIf(!haveFixtures)("catalog against a real server's discovery documents", () => {
  it("matches /api/v1", () => {
    const catalog = describeCatalog(builtinResourceTypes.filter((type) => type.group === ""));
    expect(catalog).toEqual(byName(describeCoreFixture()));
  });

  for (const { group, version } of catalogGroupVersions.filter(({ group }) => group !== "")) {
    it(`matches /apis/${group}/${version}`, () => {
      const fixture = describeAggregatedFixture(group, version);
      expect(fixture, "the fixture has this group version").toBeDefined();
      const catalog = describeCatalog(
        builtinResourceTypes.filter((type) => type.group === group && type.version === version),
      );
      // Both fixture formats name group/version only for a subresource answering with another group's kind.
      expect(catalog).toEqual(byName(fixture ?? []));
    });
  }

  it("reports the storage version hashes of the real server's version documents", () => {
    const documents = [
      ...readdirSync(discoveryDir).filter((f) => f.endsWith(".json")),
      ...readdirSync(join(discoveryDir, "older"))
        .filter((f) => f.endsWith(".json"))
        .map((f) => join("older", f)),
    ];
    let compared = 0;
    for (const file of documents) {
      const doc = readJson(file);
      if (doc.kind !== "APIResourceList") continue;
      const [group, version] = text(doc.groupVersion).includes("/")
        ? text(doc.groupVersion).split("/")
        : ["", text(doc.groupVersion)];
      for (const entry of ((doc.resources as unknown[]) ?? []).map(record)) {
        const type = builtinResourceTypes.find(
          (t) => t.group === group && t.version === version && t.name === entry.name,
        );
        if (!type) continue;
        expect(storageVersionHashOf(type), `${file} ${type.name}`).toBe(
          typeof entry.storageVersionHash === "string" ? entry.storageVersionHash : undefined,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("announces the GA groups with the preferred versions of /apis", () => {
    const groups = (readJson("apis.json").groups as unknown[]).map(record);
    for (const group of builtinGroups) {
      const real = groups.find((item) => item.name === group.name);
      expect(text(record(real?.preferredVersion).version), group.name).toBe(group.preferredVersion);
      const realVersions = ((real?.versions as unknown[] | undefined) ?? []).map((v) =>
        text(record(v).version),
      );
      for (const version of group.versions) expect(realVersions, group.name).toContain(version);
    }
  });
});
