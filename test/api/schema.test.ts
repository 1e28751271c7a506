import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, getNamedType, isNonNullType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { printSortedMesherySchema, printSortedSchema, schema } from "../../src/api/index.js";

const committedPath = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));
const mesheryPath = fileURLToPath(new URL("../../schema/meshery.graphql", import.meta.url));

describe("schema", () => {
  it("matches the committed schema/schema.graphql (run `npm run schema` after changing the API)", () => {
    expect(readFileSync(committedPath, "utf8")).toBe(printSortedSchema());
  });

  it("matches the committed schema/meshery.graphql, the compatibility schema (`npm run schema` too)", () => {
    expect(readFileSync(mesheryPath, "utf8")).toBe(printSortedMesherySchema());
  });

  it("keeps the names and shapes clients rely on", () => {
    const committed = buildSchema(readFileSync(committedPath, "utf8"));
    const query = committed.getQueryType()!.getFields();
    const resources = query.resources!;
    expect(isNonNullType(resources.type)).toBe(true);
    expect(getNamedType(resources.type).name).toBe("ResourceConnection");
    expect(resources.args.map((a) => a.name).sort()).toEqual([
      "after",
      "before",
      "filter",
      "first",
      "last",
      "orderBy",
    ]);
    expect(Object.keys(query)).toEqual(
      expect.arrayContaining(["resources", "resource", "resourceCounts", "clusters", "apiResources", "node"]),
    );

    const connection = committed.getType("ResourceConnection");
    if (!isObjectType(connection)) throw new Error("ResourceConnection is not an object type");
    expect(Object.keys(connection.getFields()).sort()).toEqual([
      "edges",
      "pageInfo",
      "sequence",
      "totalCount",
    ]);

    const filter = committed.getType("ResourceFilter");
    if (filter === undefined || !("getFields" in filter)) throw new Error("no ResourceFilter");
    expect(Object.keys(filter.getFields()).sort()).toEqual(
      [
        "annotations",
        "apiVersions",
        "clusterIds",
        "fieldSelector",
        "kinds",
        "labelSelector",
        "names",
        "namespaces",
        "ownerUids",
        "search",
        "uids",
      ].sort(),
    );

    const resource = committed.getType("Resource");
    if (!isObjectType(resource)) throw new Error("Resource is not an object type");
    expect(resource.getInterfaces().map((i) => i.name)).toEqual(["Node"]);
    expect(Object.keys(resource.getFields())).toEqual(
      expect.arrayContaining([
        "id",
        "uid",
        "cluster",
        "apiVersion",
        "kind",
        "namespace",
        "name",
        "resourceVersion",
        "labels",
        "annotations",
        "ownerReferences",
        "spec",
        "status",
        "object",
      ]),
    );

    const changes = committed.getSubscriptionType()!.getFields().resourceChanges!;
    expect(isNonNullType(changes.type)).toBe(true);
    expect(changes.args.map((a) => a.name).sort()).toEqual(["filter", "since"]);
    const changeType = committed.getType("ChangeType");
    if (changeType === undefined || !("getValues" in changeType)) throw new Error("no ChangeType enum");
    expect(
      changeType
        .getValues()
        .map((v) => v.name)
        .sort(),
    ).toEqual(["ADDED", "DELETED", "MODIFIED", "RESYNC"]);

    expect(
      committed
        .getMutationType()!
        .getFields()
        .resync!.args.map((a) => a.name),
    ).toEqual(["clusterId"]);
  });

  it("is the schema the server executes", () => {
    expect(schema.getQueryType()?.name).toBe("Query");
    expect(schema.getSubscriptionType()?.name).toBe("Subscription");
  });
});
