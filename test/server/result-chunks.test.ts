import { describe, expect, it } from "vitest";
import { bytesInTurns, chunkChars, chunksOf, isLong } from "../../src/server/result-chunks.js";

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function texts(pieces: readonly string[], size: number): { text: string; last: boolean }[] {
  return [...chunksOf(pieces, size)];
}

describe("a long result cut into chunks", () => {
  it("is long past one chunk of characters, and short up to it", () => {
    expect(isLong(["x".repeat(chunkChars)])).toBe(false);
    expect(isLong(["x".repeat(chunkChars - 1), "yz"])).toBe(true);
  });

  it("gives back the concatenation, in chunks of at most the size, the last one marked", () => {
    const pieces = ["{", "a".repeat(25), "bc", "", "d".repeat(7), "}", "e".repeat(31)];
    for (const size of [2, 3, 7, 10, 64, 1000]) {
      const chunks = texts(pieces, size);
      expect(chunks.map((c) => c.text).join("")).toBe(pieces.join(""));
      for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(size);
      expect(chunks.map((c) => c.last)).toEqual(chunks.map((_, i) => i === chunks.length - 1));
      // Every chunk but the last is full: nothing is written in more pieces than it needs.
      for (const chunk of chunks.slice(0, -1)) expect(chunk.text.length).toBe(size);
    }
  });

  it("gives one empty last chunk for nothing", () => {
    expect(texts([], 8)).toEqual([{ text: "", last: true }]);
    expect(texts(["", ""], 8)).toEqual([{ text: "", last: true }]);
  });

  it("never cuts between the two halves of a character outside the Basic Multilingual Plane", () => {
    const text = `a${"😀".repeat(40)}é${"𝄞".repeat(13)}`;
    for (const size of [2, 3, 4, 5, 9]) {
      const chunks = texts(["{", text, "}"], size);
      const bytes = Buffer.concat(chunks.map((c) => Buffer.from(c.text)));
      expect(bytes.toString()).toBe(`{${text}}`);
      for (const chunk of chunks) expect(chunk.text).not.toMatch(loneSurrogate);
    }
  });

  it("yields its bytes a chunk a turn, so that what else is due runs between them", async () => {
    const pieces = ["[", "x".repeat(chunkChars * 3), "]"];
    const order: string[] = [];
    let turns = 0;
    const tick = () => {
      turns++;
      order.push("turn");
      if (turns < 100) setImmediate(tick);
    };
    setImmediate(tick);
    const chunks: Buffer[] = [];
    for await (const chunk of bytesInTurns(pieces)) {
      chunks.push(chunk);
      order.push("chunk");
    }
    expect(Buffer.concat(chunks).toString()).toBe(pieces.join(""));
    expect(chunks.length).toBe(4);
    // Between any two chunks, at least one other turn of the event loop ran.
    const between = order.join(" ").split("chunk").slice(1, -1);
    expect(between).toHaveLength(3);
    for (const gap of between) expect(gap).toContain("turn");
  });
});
