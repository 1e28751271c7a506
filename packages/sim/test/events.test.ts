// core/v1 and events.k8s.io/v1 Events: one storage seen through two APIs, converted field by field.
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, namesOf, request, startEmpty, WatchReader } from "./sim-client.js";

const core = "/api/v1/namespaces/default/events";
const eventsApi = "/apis/events.k8s.io/v1/namespaces/default/events";

const regarding = { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "default", uid: "u-1" };

describe("Events through both APIs", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("shows a core Event through events.k8s.io, converted", async () => {
    sim = await startEmpty();
    const created = await request(sim, "POST", core, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web-1.a" },
      involvedObject: regarding,
      reason: "Pulled",
      message: "Image pulled",
      source: { component: "kubelet", host: "node-a" },
      firstTimestamp: "2026-01-05T09:00:00Z",
      lastTimestamp: "2026-01-05T09:01:00Z",
      count: 3,
      type: "Normal",
      reportingComponent: "kubelet",
      reportingInstance: "node-a",
    });
    expect(created.status).toBe(201);
    const seen = await get(sim, `${eventsApi}/web-1.a`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      regarding,
      reason: "Pulled",
      note: "Image pulled",
      reportingController: "kubelet",
      reportingInstance: "node-a",
      deprecatedSource: { component: "kubelet", host: "node-a" },
      deprecatedFirstTimestamp: "2026-01-05T09:00:00Z",
      deprecatedLastTimestamp: "2026-01-05T09:01:00Z",
      deprecatedCount: 3,
      type: "Normal",
      eventTime: null,
    });
    for (const coreOnly of ["involvedObject", "message", "source", "count", "firstTimestamp"]) {
      expect(seen.body[coreOnly]).toBeUndefined();
    }
    const meta = seen.body.metadata as { uid: string; resourceVersion: string };
    const createdMeta = created.body.metadata as { uid: string; resourceVersion: string };
    expect(meta.uid).toBe(createdMeta.uid);
    expect(meta.resourceVersion).toBe(createdMeta.resourceVersion);
  });

  it("stores an events.k8s.io Event as a core one, and both APIs update and delete the same object", async () => {
    sim = await startEmpty();
    const created = await request(sim, "POST", eventsApi, {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "web-1.b" },
      eventTime: "2026-01-05T09:00:00.000000Z",
      reportingController: "example.com/operator",
      reportingInstance: "operator-0",
      action: "Scale",
      reason: "Scaled",
      regarding,
      note: "Scaled to 3",
      type: "Normal",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: "events.k8s.io/v1", note: "Scaled to 3", regarding });
    const written = (created.body.metadata as { managedFields: { apiVersion: string }[] }).managedFields;
    expect(written.map((entry) => entry.apiVersion)).toEqual(["events.k8s.io/v1"]);
    const asCore = await get(sim, `${core}/web-1.b`);
    expect(asCore.body).toMatchObject({
      apiVersion: "v1",
      involvedObject: regarding,
      message: "Scaled to 3",
      reportingComponent: "example.com/operator",
      reportingInstance: "operator-0",
      action: "Scale",
      eventTime: "2026-01-05T09:00:00.000000Z",
    });

    const watch = await WatchReader.open(
      sim,
      `${eventsApi}?watch=1&resourceVersion=${sim.resourceVersion()}`,
    );
    const patched = await request(
      sim,
      "PATCH",
      `${core}/web-1.b`,
      { message: "Scaled to 4" },
      {
        "content-type": "application/merge-patch+json",
      },
    );
    expect(patched.status).toBe(200);
    const viaEvents = await request(
      sim,
      "PATCH",
      `${eventsApi}/web-1.b`,
      { note: "Scaled to 5" },
      {
        "content-type": "application/merge-patch+json",
      },
    );
    expect(viaEvents.body).toMatchObject({ apiVersion: "events.k8s.io/v1", note: "Scaled to 5" });
    expect((await get(sim, `${core}/web-1.b`)).body.message).toBe("Scaled to 5");
    expect((await request(sim, "DELETE", `${eventsApi}/web-1.b`)).status).toBe(200);
    expect((await get(sim, `${core}/web-1.b`)).status).toBe(404);

    const events = await watch.next(3);
    watch.close();
    expect(namesOf(events)).toEqual(["MODIFIED:web-1.b", "MODIFIED:web-1.b", "DELETED:web-1.b"]);
    expect(events.map((event) => event.object.apiVersion)).toEqual(Array(3).fill("events.k8s.io/v1"));
    expect(events[0]!.object.note).toBe("Scaled to 4");

    const lists = await Promise.all([get(sim, core), get(sim, eventsApi)]);
    expect(lists.map((list) => (list.body.items as unknown[]).length)).toEqual([0, 0]);
  });

  it("lists the same Events through both APIs", async () => {
    sim = await startEmpty();
    for (const name of ["e1", "e2"]) {
      await request(sim, "POST", core, {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name },
        involvedObject: regarding,
        reason: "Created",
        message: name,
        type: "Normal",
      });
    }
    const [coreList, eventsList] = await Promise.all([get(sim, core), get(sim, eventsApi)]);
    const names = (list: typeof coreList) =>
      (list.body.items as { metadata: { name: string } }[]).map((item) => item.metadata.name);
    expect(names(eventsList)).toEqual(names(coreList));
    expect((eventsList.body.items as { note: string }[]).map((item) => item.note)).toEqual(["e1", "e2"]);
    // kubectl's table is the same through either API.
    const tableOf = (path: string) =>
      get(sim, path, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    const [coreTable, eventsTable] = await Promise.all([tableOf(core), tableOf(eventsApi)]);
    expect(eventsTable.body.columnDefinitions).toEqual(coreTable.body.columnDefinitions);
    const cells = (table: typeof coreTable) =>
      (table.body.rows as { cells: unknown[] }[]).map((row) => row.cells);
    expect(cells(eventsTable)).toEqual(cells(coreTable));
    expect(cells(eventsTable)[0]).toContain("pod/web-1");
    const versionOf = (list: typeof coreList) =>
      (list.body.metadata as { resourceVersion: string }).resourceVersion;
    expect(versionOf(eventsList)).toBe(versionOf(coreList));
  });
});
