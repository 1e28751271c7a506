import { describe, expect, it } from "vitest";
import type { ListOptions, ListPage } from "../../src/kube/list-watch.js";
import { listAll } from "../../src/kube/pager.js";
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
});
