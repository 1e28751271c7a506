import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../src/kube/errors.js";
import type { ListOptions, ListPage } from "../../src/kube/list-watch.js";
import { listAll, MAX_LIST_ATTEMPTS } from "../../src/kube/pager.js";
import { configMap, FakeListerWatcher } from "./fakes.js";

/** Fails the test rather than letting a pager that never stops run until memory runs out. */
function endlessPages(next: (call: number) => string): FakeListerWatcher {
  let calls = 0;
  return new FakeListerWatcher((_options: ListOptions): ListPage | Error => {
    calls += 1;
    if (calls > 1_000) return new Error("pager kept asking for pages");
    return {
      items: [configMap(`cm-${calls}`, `uid-${calls}`, "1")],
      resourceVersion: "1",
      continue: next(calls),
    };
  });
}

describe("listAll", () => {
  it("follows continue tokens to the last page", async () => {
    const lw = new FakeListerWatcher(
      { items: [configMap("a", "uid-a", "1")], resourceVersion: "5", continue: "t1" },
      { items: [configMap("b", "uid-b", "2")], resourceVersion: "5", continue: "t2" },
      { items: [configMap("c", "uid-c", "3")], resourceVersion: "5" },
    );
    const list = await listAll(lw, 1);
    expect(list.items.map((item) => item.metadata?.uid)).toEqual(["uid-a", "uid-b", "uid-c"]);
    expect(lw.listCalls.map((call) => call.continue)).toEqual([undefined, "t1", "t2"]);
  });

  it("fails when the server hands back a continue token it already gave", async () => {
    const lw = endlessPages((call) => (call % 2 === 0 ? "even" : "odd"));
    await expect(listAll(lw, 1)).rejects.toThrow(/repeats an earlier continue token/);
    expect(lw.listCalls).toHaveLength(3);
  });

  it("fails when the server keeps paging past the cap", async () => {
    const lw = endlessPages((call) => `token-${call}`);
    await expect(listAll(lw, 1, undefined, 50)).rejects.toThrow(/not complete after 50 pages/);
    expect(lw.listCalls).toHaveLength(50);
  });

  it("starts a fresh paginated list when a continue token expires midway, never one unpaginated read", async () => {
    let fresh = 0;
    const lw = new FakeListerWatcher((options: ListOptions): ListPage | Error => {
      if (options.continue === "stale") return new KubeApiError(410, "continue expired", "Expired");
      if (options.continue === undefined) {
        fresh += 1;
        return fresh === 1
          ? { items: [configMap("a", "uid-a", "1")], resourceVersion: "5", continue: "stale" }
          : { items: [configMap("a", "uid-a", "7")], resourceVersion: "9", continue: "fresh" };
      }
      return { items: [configMap("b", "uid-b", "8")], resourceVersion: "9" };
    });
    const list = await listAll(lw, 1);
    expect(lw.listCalls.map((call) => [call.limit, call.continue])).toEqual([
      [1, undefined],
      [1, "stale"],
      [1, undefined],
      [1, "fresh"],
    ]);
    expect(list.items.map((item) => item.metadata?.resourceVersion)).toEqual(["7", "8"]);
    expect(list.resourceVersion).toBe("9");
    expect(list.pages).toBe(3);
  });

  it("fails after every fresh attempt expires, still asking page by page", async () => {
    const lw = new FakeListerWatcher((options: ListOptions): ListPage | Error =>
      options.continue
        ? new KubeApiError(410, "continue expired", "Expired")
        : { items: [configMap("a", "uid-a", "1")], resourceVersion: "5", continue: "soon-stale" },
    );
    await expect(listAll(lw, 1)).rejects.toThrow(/expired before its last page 3 times/);
    expect(lw.listCalls).toHaveLength(2 * MAX_LIST_ATTEMPTS);
    expect(lw.listCalls.every((call) => call.limit === 1)).toBe(true);
  });
});
