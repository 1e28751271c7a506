import { afterEach, describe, expect, it } from "vitest";
import type { ListOptions, ListPage } from "../../src/kube/list-watch.js";
import { silentLogger } from "../../src/kube/logger.js";
import { Reflector } from "../../src/kube/reflector.js";
import { addUpProgress } from "../../src/kube/sync-progress.js";
import { cluster, configMap, configMaps, FakeListerWatcher, RecordingSink, waitFor } from "./fakes.js";

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

/** Answers the first page at once and holds every later page until released. */
class HeldPagesLister extends FakeListerWatcher {
  pagesAsked = 0;
  private release: () => void = () => {};
  private readonly released = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  releasePages(): void {
    this.release();
  }

  override async list(options: ListOptions): Promise<ListPage> {
    this.pagesAsked += 1;
    if (options.continue !== undefined) await this.released;
    return super.list(options);
  }
}

describe("a reflector's progress", () => {
  const running: Reflector[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((reflector) => reflector.stop()));
  });

  it("counts the pages of its first list as they arrive, then what it holds", async () => {
    const first = [configMap("a", "uid-a", "1"), configMap("b", "uid-b", "2")];
    const second = [configMap("c", "uid-c", "3")];
    const lw = new HeldPagesLister((options) =>
      options.continue
        ? { items: second, resourceVersion: "9" }
        : { items: first, resourceVersion: "9", continue: "page-2" },
    );
    const reflector = new Reflector({
      cluster,
      type: configMaps,
      listerWatcher: lw,
      sink: new RecordingSink(),
      logger: silentLogger,
      pageSize: 2,
    });
    running.push(reflector);
    expect(reflector.progress()).toEqual({ synced: false, forbidden: false, objects: 0 });
    reflector.start();

    await waitFor(() => lw.pagesAsked === 2, "the second page requested");
    expect(reflector.progress()).toEqual({ synced: false, forbidden: false, objects: 2 });

    lw.releasePages();
    await reflector.synced;
    expect(reflector.progress()).toEqual({ synced: true, forbidden: false, objects: 3 });
  });
});
