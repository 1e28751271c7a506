import { afterEach, describe, expect, it } from "vitest";
import { SyncStatusChangesDocument, type SyncStatusChangesSubscription } from "../generated/graphql.js";
import { subscribe } from "../support/graphql-client.js";
import { metric } from "../support/metrics.js";
import { sseClient } from "../support/sse-client.js";
import { startTestServer, type TestServer, typeSyncStatus } from "./fixtures.js";

let t: TestServer | undefined;

afterEach(async () => {
  await t?.server.close();
  t = undefined;
});

const status = typeSyncStatus;

type Sync = SyncStatusChangesSubscription["syncStatus"];
const line = (s: Sync) => `${s.clusterId}/${s.typeName} ${s.phase}${s.synced ? " synced" : ""}`;

describe("syncStatus as a subscription, through the fan-out", () => {
  it("sends every type's status first, then each change, to every member of a group", async () => {
    let statuses = [status({}), status({ typeName: "configmaps.v1." }), status({ clusterId: "c2" })];
    t = await startTestServer({ syncStatus: () => statuses });
    const first = subscribe(t.server.url, SyncStatusChangesDocument, { clusterIds: ["c1"] });
    const second = subscribe(t.server.url, SyncStatusChangesDocument, { clusterIds: ["c1"] });
    try {
      for (const subscription of [first, second]) {
        const opening = (await subscription.take(2)).map((e) => line(e.syncStatus));
        expect(opening.sort()).toEqual(["c1/configmaps.v1. listing", "c1/pods.v1. listing"]);
      }
      statuses = [
        status({ phase: "watching", hasSynced: true }),
        status({ typeName: "configmaps.v1." }),
        status({ clusterId: "c2", phase: "watching" }),
      ];
      for (const subscription of [first, second])
        expect(line((await subscription.next()).syncStatus)).toBe("c1/pods.v1. watching synced");
      // Same document and variables: one group.
      expect(await metric(t.server.origin, "meshsync_subscription_groups")).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("travels over graphql-sse too", async () => {
    let statuses = [status({})];
    t = await startTestServer({ syncStatus: () => statuses });
    const client = sseClient(t.server.url);
    const subscription = client.subscribe(SyncStatusChangesDocument, {});
    try {
      expect((await subscription.next()).data?.syncStatus).toMatchObject({ phase: "listing" });
      statuses = [status({ phase: "error", error: "forbidden" })];
      expect((await subscription.next()).data?.syncStatus).toMatchObject({
        phase: "error",
        error: "forbidden",
      });
    } finally {
      await subscription.close();
      client.dispose();
    }
  });
});
