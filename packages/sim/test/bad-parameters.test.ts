// Bad query parameters get a 400 whose message quotes at most an excerpt of the value, as a real
// server's, bounded by its request line, would.
import { afterEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { get, startEmpty } from "./sim-client.js";

describe("other query parameters the simulator refuses", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("quotes at most an excerpt of a bad value", async () => {
    sim = await startEmpty();
    const long = "x".repeat(10_000);
    for (const query of [`limit=${long}`, `includeObject=${long}`, `resourceVersion=${long}`]) {
      const response = await get(sim, `/api/v1/configmaps?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.message, query).toMatch(/… \(10000 characters\)$/);
    }
  });
});
