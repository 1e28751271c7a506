// The ClusterRole against what meshsync really watches: every type a `meshsync serve` syncs by default
// from a cluster with CRDs installed must be granted by name, except the objects of custom resources
// (their groups are not known in advance) and Secrets (left out on purpose). And a cluster whose RBAC
// refuses a type, as this role refuses Secrets, is still synced and served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncStatusDocument } from "../generated/graphql.js";
import { queryData } from "../support/graphql-client.js";
import { type SimAndServe, startSimAndServe } from "../support/processes.js";
import { grants, role, theObject } from "./manifests.js";

interface TypeName {
  group: string;
  version: string;
  resource: string;
}

/** MeshSync's "<plural>.<version>.<group>" (the core group empty). */
function typeNameParts(typeName: string): TypeName {
  const [resource = "", version = "", ...group] = typeName.split(".");
  return { resource, version, group: group.join(".") };
}

interface CrdList {
  items: { spec: { group: string; names: { plural: string } } }[];
}

/** The custom resources the cluster defines, as "<group>/<plural>", read from its API server. */
async function customResources(simOrigin: string): Promise<Set<string>> {
  const response = await fetch(`${simOrigin}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`);
  expect(response.status).toBe(200);
  const list = (await response.json()) as CrdList;
  return new Set(list.items.map((crd) => `${crd.spec.group}/${crd.spec.names.plural}`));
}

const reader = () => theObject("ClusterRole", role, "meshsync-reader");

describe("the ClusterRole covers what meshsync watches by default", () => {
  let cluster: SimAndServe;

  beforeAll(async () => {
    cluster = await startSimAndServe(["--scenario", "crds"]);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("grants get, list and watch by name on every built-in type it syncs, Secrets aside", async () => {
    const { syncStatus } = await queryData(cluster.graphqlUrl, SyncStatusDocument, {});
    const custom = await customResources(cluster.sim.origin);
    const watched = syncStatus.map((status) => typeNameParts(status.typeName));
    const builtIn = watched.filter((type) => !custom.has(`${type.group}/${type.resource}`));
    // The cluster's CRDs are watched too, and left to a rule per group: the exclusion is a real one.
    expect(watched.length - builtIn.length).toBeGreaterThan(0);
    expect(builtIn.length).toBeGreaterThan(30);
    const ungranted = builtIn
      .filter((type) => !(type.group === "" && type.resource === "secrets"))
      .filter(
        (type) =>
          !["get", "list", "watch"].every((verb) => grants(reader().rules, type.group, type.resource, verb)),
      )
      .map((type) => `${type.resource}.${type.version}.${type.group}`);
    expect(ungranted).toEqual([]);
    // Secrets are watched by default: leaving them out of the role is a decision, not an oversight.
    expect(builtIn).toContainEqual({ group: "", version: "v1", resource: "secrets" });
  });
});

describe("a cluster whose RBAC refuses Secrets, as deploy/ does", () => {
  let cluster: SimAndServe;

  beforeAll(async () => {
    // The simulator answers every list and watch of Secrets with 403, as an API server does for an
    // account this ClusterRole is bound to.
    const forbidden = {
      action: "fail",
      status: 403,
      count: 1_000_000,
      path: "^/api/v1/(namespaces/[^/]+/)?secrets",
    };
    cluster = await startSimAndServe(["--fault", JSON.stringify(forbidden)]);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("is synced and served, with Secrets shown as forbidden and every other type synced", async () => {
    const { syncStatus } = await queryData(cluster.graphqlUrl, SyncStatusDocument, {});
    const secrets = syncStatus.find((status) => status.typeName === "secrets.v1.");
    expect(secrets).toMatchObject({ forbidden: true, synced: false, objectCount: 0 });
    const others = syncStatus.filter((status) => status.typeName !== "secrets.v1.");
    expect(others.length).toBeGreaterThan(30);
    expect(others.filter((status) => !status.synced).map((status) => status.typeName)).toEqual([]);
    expect(others.find((status) => status.typeName === "pods.v1.")?.objectCount).toBeGreaterThan(0);
    const ready = await fetch(`${cluster.serve.origin}/readyz`);
    expect(ready.status).toBe(200);
  });
});
