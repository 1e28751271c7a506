import { describe, expect, it } from "vitest";
import { ClustersDocument } from "../generated/graphql.js";
import { subscribe } from "../support/graphql-client.js";
import { cluster, pod, podType, startTestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

describe("shutdown", () => {
  it("closes with a subscriber that stopped reading and frees every listener", async () => {
    const { graph, server } = await startTestServer();
    const stalled = await RawGraphqlSocket.connect(server.url);
    stalled.subscribe(
      "s",
      "subscription($since: String) { resourceChanges(since: $since) { sequence resource { object } } }",
      { since: graph.log.cursor() },
    );
    graph.upsert(cluster, podType, pod("first", "default"));
    await stalled.waitFor((m) => m.type === "next");
    stalled.ws.pause();
    const live = subscribe(server.url, ClustersDocument);
    await live.next();
    await server.close();
    expect(graph.log.listenerCount).toBe(0);
    stalled.ws.resume();
    expect(await stalled.closed).toBeGreaterThan(0);
    await live.close();
  });
});
