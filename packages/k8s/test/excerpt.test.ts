import { describe, expect, it } from "vitest";
import { excerpt, maxQuotedChars, quoteExcerpt } from "../src/excerpt.js";

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
