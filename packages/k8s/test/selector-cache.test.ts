import { describe, expect, it } from "vitest";
import { SelectorCache } from "../src/index.js";

describe("selector cache", () => {
  it("compiles a text once, then serves it from the cache", () => {
    let compiles = 0;
    const cache = new SelectorCache((text) => ({ text, n: ++compiles }));
    expect(cache.get("app=web")).toBe(cache.get("app=web"));
    expect(compiles).toBe(1);
  });

  it("drops the least recently used entry past its entry bound", () => {
    const compiled: string[] = [];
    const cache = new SelectorCache(
      (text) => {
        compiled.push(text);
        return text;
      },
      { maxEntries: 2, maxChars: 1000 },
    );
    cache.get("a");
    cache.get("b");
    cache.get("a");
    cache.get("c");
    expect(cache.size).toBe(2);
    cache.get("a");
    cache.get("b");
    expect(compiled).toEqual(["a", "b", "c", "b"]);
  });

  it("keeps no more text than its character bound", () => {
    const cache = new SelectorCache((text) => text, { maxEntries: 100, maxChars: 10 });
    cache.get("12345");
    cache.get("67890");
    cache.get("abc");
    expect(cache.size).toBe(2);
    cache.get("x".repeat(11));
    expect(cache.size).toBe(2);
  });

  it("keeps nothing that failed to compile", () => {
    const cache = new SelectorCache((text) => {
      if (text === "bad") throw new Error("bad");
      return text;
    });
    expect(() => cache.get("bad")).toThrow("bad");
    expect(cache.size).toBe(0);
  });
});
