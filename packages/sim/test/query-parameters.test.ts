// Query parameters decoded as kube-apiserver decodes them into ListOptions and DeleteOptions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { startEmpty } from "./sim-client.js";

const configMaps = "/api/v1/namespaces/default/configmaps";

/** The first JSON document of a response: a list, or a watch's first event. */
async function firstDocument(sim: RunningSimulator, query: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}${configMaps}?${query}`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return JSON.parse(text.split("\n")[0]!) as Record<string, unknown>;
}

describe("boolean query parameters", () => {
  let sim!: RunningSimulator;
  beforeAll(async () => {
    sim = await startEmpty();
  });
  afterAll(async () => {
    await sim.close();
  });

  // runtime.Convert_Slice_string_To_bool: only "0" and "false" (any case) are false.
  it.concurrent.for(["true", "True", "TRUE", "1", "t", ""])("watches for watch=%s", async (value) => {
    const first = await firstDocument(sim, `watch=${value}&resourceVersion=0&timeoutSeconds=1`);
    expect(first.type).toBe("ADDED");
  });

  it.concurrent.for(["false", "False", "FALSE", "0"])("lists for watch=%s", async (value) => {
    const first = await firstDocument(sim, `watch=${value}`);
    expect(first.kind).toBe("ConfigMapList");
  });

  it("reads allowWatchBookmarks=True as true", async () => {
    // sendInitialEvents requires allowWatchBookmarks; a false reading is a 422.
    const response = await fetch(
      `${sim.url}${configMaps}?watch=1&sendInitialEvents=True&allowWatchBookmarks=True&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`,
    );
    expect(response.status).toBe(200);
    await response.text();
  });
});
