import { describe, expect, it } from "vitest";
import { maxNesting } from "../../src/server/nesting.js";

describe("maxNesting", () => {
  it("counts braces, parentheses and brackets together", () => {
    expect(maxNesting("{ a }")).toBe(1);
    expect(maxNesting("{ a { b(c: [1, {d: 2}]) } }")).toBe(5);
    expect(maxNesting("query Q($v: [[Int]]) { a }")).toBe(3);
  });

  it("ignores brackets inside strings, block strings and comments", () => {
    expect(maxNesting('{ a(s: "{{{{[[[((") }')).toBe(2);
    expect(maxNesting('{ a(s: "escaped \\" {{{{") }')).toBe(2);
    expect(maxNesting('{ a(s: """ {{{{ \\""" still {{{{ """) }')).toBe(2);
    expect(maxNesting("{ a # {{{{{{\n b }")).toBe(1);
  });

  it("ends an unterminated string at the line break, as the lexer does", () => {
    expect(maxNesting('{ a(s: "open\n{{{ }')).toBe(5);
  });

  it("stops once past the limit", () => {
    const hostile = `${"{a".repeat(100_000)}${"}".repeat(100_000)}`;
    expect(maxNesting(hostile, 64)).toBe(65);
    expect(maxNesting(hostile)).toBe(100_000);
  });
});
