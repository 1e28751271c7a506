import { eventually } from "@meshsync/testing";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraph } from "../../src/graph/index.js";
import type { KubeObject, ResourceType } from "../../src/kube/types.js";
import {
  NeighbourhoodDocument,
  RelationChangesDocument,
  RelationsDocument,
  RelationTypesDocument,
  ResourceEventsDocument,
} from "../generated/graphql.js";
import { object, types } from "../graph/relations/objects.js";
import { query, queryData, subscribe } from "../support/graphql-client.js";
import { cluster, startTestServer, type TestServer } from "./fixtures.js";

const id = (o: KubeObject) => encodeGlobalID("Resource", `${cluster.id}/${o.metadata?.uid}`);
const feed = (graph: ResourceGraph, type: ResourceType, o: KubeObject) => graph.upsert(cluster, type, o);

describe("relations over HTTP and graphql-ws", () => {
  let t: TestServer;
  const deployment = object("deployments", { name: "web", uid: "d1" });
  const replicaSet = object("replicasets", {
    name: "web-5d",
    uid: "rs1",
    owners: [{ kind: "Deployment", apiVersion: "apps/v1", name: "web", uid: "d1", controller: true }],
  });
  const pod = (name: string, app = "web") =>
    object(
      "pods",
      {
        name,
        uid: `pod-${name}`,
        labels: { app },
        owners: [{ kind: "ReplicaSet", apiVersion: "apps/v1", name: "web-5d", uid: "rs1", controller: true }],
      },
      { spec: { nodeName: "node-1" } },
    );
  const service = object("services", { name: "web", uid: "svc1" }, { spec: { selector: { app: "web" } } });

  beforeAll(async () => {
    t = await startTestServer({ graph: new ResourceGraph({ resourceTypes: () => Object.values(types) }) });
    feed(t.graph, types.nodes, object("nodes", { name: "node-1", uid: "n1" }));
    feed(t.graph, types.deployments, deployment);
    feed(t.graph, types.replicasets, replicaSet);
    for (const name of ["web-1", "web-2"]) feed(t.graph, types.pods, pod(name));
    feed(t.graph, types.services, service);
    feed(
      t.graph,
      types.events,
      object(
        "events",
        { name: "web-1.1" },
        {
          involvedObject: { kind: "Pod", name: "web-1", namespace: "default", uid: "pod-web-1" },
          lastTimestamp: "2026-12-01T10:00:00Z",
        },
      ),
    );
  });

  afterAll(async () => {
    await t.server.close();
  });

  it("lists an object's relations in each direction, of some types", async () => {
    const data = await queryData(t.server.url, RelationsDocument, { id: id(pod("web-1")) });
    const seen = (
      data.node as { relations: { type: string; direction: string; resource: { name: string } }[] }
    ).relations
      .map((r) => `${r.direction} ${r.type} ${r.resource.name}`)
      .sort();
    expect(seen).toEqual(["IN about web-1.1", "IN owns web-5d", "IN selects web", "OUT runs-on node-1"]);
    const out = await queryData(t.server.url, RelationsDocument, {
      id: id(service),
      direction: "OUT",
      types: ["selects"],
    });
    expect(
      (out.node as { relations: { resource: { name: string } }[] }).relations
        .map((r) => r.resource.name)
        .sort(),
    ).toEqual(["web-1", "web-2"]);
  });

  it("refuses a relation type no rule gives, naming the known ones", async () => {
    const result = await query(t.server.url, RelationsDocument, { id: id(service), types: ["selectz"] });
    expect(result.errors?.[0]?.message).toMatch(/^unknown relation type "selectz"; the rules give .*selects/);
    const listed = await queryData(t.server.url, RelationTypesDocument, {});
    expect(listed.relationTypes).toContain("runs-on");
  });

  it("draws a two-hop neighbourhood in one round trip, nodes and edges between them", async () => {
    const data = await queryData(t.server.url, NeighbourhoodDocument, {
      id: id(deployment),
      hops: 2,
      types: ["owns"],
    });
    expect(data.neighbourhood?.nodes.map((n) => n.name)).toEqual(["web", "web-5d", "web-1", "web-2"]);
    expect(data.neighbourhood?.edges).toHaveLength(3);
    expect(data.neighbourhood?.truncated).toBe(false);
    const bounded = await queryData(t.server.url, NeighbourhoodDocument, {
      id: id(deployment),
      hops: 3,
      first: 2,
    });
    expect(bounded.neighbourhood?.nodes).toHaveLength(2);
    expect(bounded.neighbourhood?.truncated).toBe(true);
    const kinds = await queryData(t.server.url, NeighbourhoodDocument, {
      id: id(pod("web-2")),
      hops: 1,
      kinds: ["nodes"],
    });
    expect(kinds.neighbourhood?.nodes.map((n) => n.kind)).toEqual(["Pod", "Node"]);
  });

  it("serves an object's Events", async () => {
    const data = await queryData(t.server.url, ResourceEventsDocument, { id: id(pod("web-1")) });
    expect((data.node as { events: { name: string }[] }).events.map((e) => e.name)).toEqual(["web-1.1"]);
  });

  it("carries the edges a change moves in the change stream", async () => {
    const stream = subscribe(t.server.url, RelationChangesDocument, { filter: { kinds: ["pods"] } });
    // graphql-ws subscribes lazily: wait until the server holds the subscription before changing anything.
    const started = stream.next(5_000);
    await eventually(() => t.graph.log.listenerCount === 1, 5000, "the subscription to start");
    feed(t.graph, types.pods, pod("web-3"));
    const added = await started;
    expect(added.resourceChanges.type).toBe("ADDED");
    expect(added.resourceChanges.relationsAdded.map((e) => e.type).sort()).toEqual([
      "owns",
      "runs-on",
      "selects",
    ]);
    expect(added.resourceChanges.relationsAdded.find((e) => e.type === "selects")).toEqual({
      type: "selects",
      from: id(service),
      to: id(pod("web-3")),
    });
    feed(t.graph, types.pods, {
      ...pod("web-3", "other"),
      metadata: { ...pod("web-3", "other").metadata, resourceVersion: "2" },
    });
    const relabelled = await stream.next(5_000);
    expect(relabelled.resourceChanges.relationsRemoved.map((e) => e.type)).toEqual(["selects"]);
    expect(relabelled.resourceChanges.relationsAdded).toEqual([]);
    await stream.close();
  });
});
