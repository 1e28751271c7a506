import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { eventually } from "@meshsync/testing";
import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import { ResourceChangesDocument } from "../generated/graphql.js";
import { type Subscription, subscribe } from "../support/graphql-client.js";
import { metric } from "../support/metrics.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";

let t: TestServer | undefined;
const open: Subscription<unknown>[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await t?.server.close();
  t = undefined;
});

describe("subscribers of one operation", () => {
  it("share one execution per change, and each still gets every change in order", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const since = graph.log.cursor();
    const same = Array.from({ length: 5 }, () => subscribe(server.url, ResourceChangesDocument, { since }));
    const filtered = subscribe(server.url, ResourceChangesDocument, {
      since,
      filter: { namespaces: ["default"] },
    });
    open.push(...same, filtered);

    for (let i = 0; i < 10; i++)
      graph.upsert(cluster, podType, pod(`p${i}`, i % 2 === 0 ? "default" : "other"));
    for (const subscription of same) {
      const names = (await subscription.take(10)).map((e) => e.resourceChanges.resource?.name);
      expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    }
    const filteredNames = (await filtered.take(5)).map((e) => e.resourceChanges.resource?.name);
    expect(filteredNames).toEqual(["p0", "p2", "p4", "p6", "p8"]);

    // Ten changes for the five alike, five for the filtered one: fifteen renderings for 55 deliveries.
    expect(await metric(server.origin, "meshsync_subscription_executions_total")).toBe(15);
    expect(await metric(server.origin, "meshsync_subscription_events_total")).toBe(55);
  });

  it("group subscribers that differ only in since, each replaying its own backlog", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const start = graph.log.cursor();
    for (let i = 0; i < 3; i++) graph.upsert(cluster, podType, pod(`early${i}`, "default"));
    const middle = graph.log.cursor();
    const fromStart = subscribe(server.url, ResourceChangesDocument, { since: start });
    const fromMiddle = subscribe(server.url, ResourceChangesDocument, { since: middle });
    open.push(fromStart, fromMiddle);
    expect((await fromStart.take(3)).map((e) => e.resourceChanges.resource?.name)).toEqual([
      "early0",
      "early1",
      "early2",
    ]);
    graph.upsert(cluster, podType, pod("late", "default"));
    expect((await fromMiddle.next()).resourceChanges.resource?.name).toBe("late");
    expect((await fromStart.next()).resourceChanges.resource?.name).toBe("late");
    expect(await metric(server.origin, "meshsync_subscription_groups")).toBe(1);
  });

  it("keep subscribers apart when their since variable is used anywhere else", async () => {
    t = await startTestServer();
    const { graph, server } = t;
    const document = parse(
      "subscription Both($since: String) { resourceChanges(since: $since, filter: { search: $since }) { sequence } }",
    ) as TypedDocumentNode<unknown, { since: string }>;
    const a = subscribe(server.url, document, { since: graph.log.cursor() });
    graph.upsert(cluster, podType, pod("between", "default"));
    const b = subscribe(server.url, document, { since: graph.log.cursor() });
    open.push(a, b);
    await eventually(
      async () => (await metric(server.origin, "meshsync_subscriptions_active")) === 2,
      5000,
      "both to start",
    );
    expect(await metric(server.origin, "meshsync_subscription_groups")).toBe(2);
  });
});
