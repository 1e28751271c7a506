import { afterEach, describe, expect, it } from "vitest";
import { ResourceChangesDocument } from "../generated/graphql.js";
import { type Subscription, subscribe } from "../support/graphql-client.js";
import { cluster, pod, podType, startTestServer, type TestServer } from "./fixtures.js";

let t: TestServer | undefined;
const open: Subscription<unknown>[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await t?.server.close();
  t = undefined;
});

async function counter(origin: string, name: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  if (match === null) throw new Error(`no ${name} in /metrics`);
  return Number(match[1]);
}

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
    expect(await counter(server.origin, "meshsync_subscription_executions_total")).toBe(15);
    expect(await counter(server.origin, "meshsync_subscription_events_total")).toBe(55);
  });
});
