import { describe, expect, it } from "vitest";
import { excerpt, listExcerpt, maxQuotedChars, quoteExcerpt } from "../src/excerpt.js";

describe("quoteExcerpt", () => {
  it("quotes short input whole", () => {
    expect(quoteExcerpt("app=web")).toBe('"app=web"');
  });

  it("quotes only the start of long input and says how long it was", () => {
    const long = "a=b,".repeat(250_000);
    const quoted = quoteExcerpt(long);
    expect(quoted.length).toBeLessThan(maxQuotedChars + 40);
    expect(quoted.startsWith(JSON.stringify(long.slice(0, maxQuotedChars)))).toBe(true);
    expect(quoted).toContain(`(${long.length} characters)`);
  });
});

describe("excerpt", () => {
  it("gives short input as it is, and long input cut, with its length", () => {
    expect(excerpt("spec.bogus")).toBe("spec.bogus");
    const long = "x".repeat(900_000);
    expect(excerpt(long)).toBe(`${"x".repeat(maxQuotedChars)}… (900000 characters)`);
  });
});

describe("listExcerpt", () => {
  it("names a short list whole, and of a long one the first few and how many more", () => {
    expect(listExcerpt(["a", "b"])).toBe("a, b");
    expect(listExcerpt(["a", "b"], { quote: true })).toBe('"a", "b"');
    const many = Array.from({ length: 10_000 }, (_, i) => `kind-${i}`);
    expect(listExcerpt(many, { quote: true })).toBe(
      '"kind-0", "kind-1", "kind-2", "kind-3", "kind-4" and 9995 more',
    );
    expect(listExcerpt(many, { max: 2 })).toBe("kind-0, kind-1 and 9998 more");
  });

  it("cuts each long item to an excerpt", () => {
    const listed = listExcerpt(["x".repeat(900_000), "y"], { quote: true });
    expect(listed).toBe(`${quoteExcerpt("x".repeat(900_000))}, "y"`);
    expect(listed.length).toBeLessThan(maxQuotedChars + 50);
  });
});
