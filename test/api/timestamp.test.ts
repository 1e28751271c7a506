import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/api/timestamp.js";

describe("parseTimestamp", () => {
  it("reads RFC 3339 times in any offset, cutting fractions to milliseconds", () => {
    const noon = Date.UTC(2026, 11, 1, 12, 0, 0);
    expect(parseTimestamp("2026-12-01T12:00:00Z", "t")).toBe(noon);
    expect(parseTimestamp("2026-12-01t13:30:00+01:30", "t")).toBe(noon);
    expect(parseTimestamp("2026-12-01 07:00:00-05:00", "t")).toBe(noon);
    expect(parseTimestamp("2026-12-01T12:00:00.123456789z", "t")).toBe(noon + 123);
    expect(parseTimestamp("2026-12-01T12:00:00.5Z", "t")).toBe(noon + 500);
  });

  it.each([
    "",
    "2026-12-01",
    "2026-12-01T12:00:00",
    "2026-12-01T12:00Z",
    "2026-13-01T12:00:00Z",
    "2026-02-29T12:00:00Z",
    "2026-12-01T25:00:00Z",
    `2026-12-01T12:00:00.${"1".repeat(40)}Z`,
  ])("refuses %j with a one-line error naming the argument", (text) => {
    expect(() => parseTimestamp(text, "sinceTime")).toThrow(/^sinceTime must be an RFC 3339 timestamp/);
  });
});
