import { describe, expect, it } from "vitest";
import { addUpProgress } from "../../src/kube/sync-progress.js";

describe("addUpProgress", () => {
  it("adds up every cluster's types: synced, forbidden, total and objects", () => {
    expect(
      addUpProgress([
        {
          discovered: true,
          types: [
            { synced: true, forbidden: false, objects: 120 },
            { synced: false, forbidden: false, objects: 500 },
            { synced: false, forbidden: true, objects: 0 },
          ],
        },
        { discovered: true, types: [{ synced: true, forbidden: false, objects: 3 }] },
        { discovered: false, types: [] },
      ]),
    ).toEqual({
      clustersDiscovered: 2,
      clustersTotal: 3,
      typesSynced: 2,
      typesForbidden: 1,
      typesTotal: 4,
      objects: 623,
    });
  });

  it("is all zeros with no cluster yet", () => {
    expect(addUpProgress([])).toEqual({
      clustersDiscovered: 0,
      clustersTotal: 0,
      typesSynced: 0,
      typesForbidden: 0,
      typesTotal: 0,
      objects: 0,
    });
  });
});
