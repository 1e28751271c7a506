import { describe, expect, it } from "vitest";
import {
  compileFieldSelector,
  defaultSelectorLimits,
  parseFieldRequirements,
  SelectorError,
  unsupportedField,
} from "../src/index.js";

describe("field selectors", () => {
  const fields: Record<string, string> = {
    "metadata.name": "a,b",
    "status.phase": "Running",
    "spec.nodeName": "",
  };
  const read = (field: string) => fields[field] ?? "";

  it("matches =, == and != with escapes", () => {
    expect(compileFieldSelector("status.phase=Running").matches(read)).toBe(true);
    expect(compileFieldSelector("status.phase==Running,spec.nodeName=").matches(read)).toBe(true);
    expect(compileFieldSelector("status.phase!=Running").matches(read)).toBe(false);
    expect(compileFieldSelector("metadata.name=a\\,b").matches(read)).toBe(true);
    expect(compileFieldSelector("missing=").matches(read)).toBe(true);
    expect(compileFieldSelector("").matches(read)).toBe(true);
  });

  it("parses as fields.ParseSelector: terms sorted, empty terms skipped, sides not trimmed", () => {
    expect(parseFieldRequirements("b=2,,a!=1, c = 3")).toEqual([
      { field: " c ", operator: "=", value: " 3" },
      { field: "a", operator: "!=", value: "1" },
      { field: "b", operator: "=", value: "2" },
    ]);
    expect(parseFieldRequirements("a==b")).toEqual([{ field: "a", operator: "==", value: "b" }]);
    expect(parseFieldRequirements("a=x\\=y\\\\z")).toEqual([{ field: "a", operator: "=", value: "x=y\\z" }]);
  });

  it.each([
    ["status.phase", `invalid selector: 'status.phase'; can't understand 'status.phase'`],
    ["a=b=c", "invalid field selector: unescaped character in value: ="],
    ["a=b\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
  ])("rejects %s", (bad, message) => {
    expect(() => compileFieldSelector(bad)).toThrow(SelectorError);
    expect(() => compileFieldSelector(bad)).toThrow(message);
  });

  it("maps each label through the caller's table, which may refuse it", () => {
    const aliases: Record<string, string> = {
      "spec.host": "spec.nodeName",
      "spec.nodeName": "spec.nodeName",
    };
    const fieldOf = (label: string) => {
      const field = aliases[label];
      if (field === undefined) throw unsupportedField(label);
      return field;
    };
    const selector = compileFieldSelector("spec.host=", fieldOf);
    expect(selector.requirements[0]?.field).toBe("spec.nodeName");
    expect(selector.labels).toEqual(["spec.host"]);
    expect(() => compileFieldSelector("spec.other=x", fieldOf)).toThrow(
      "field label not supported: spec.other",
    );
  });

  it("says after the server's words what would have been accepted, when told", () => {
    expect(unsupportedField("spec.other").message).toBe("field label not supported: spec.other");
    expect(unsupportedField("spec.other", "Pod supports spec.nodeName").message).toBe(
      "field label not supported: spec.other; Pod supports spec.nodeName",
    );
  });

  it("costs one per requirement", () => {
    expect(compileFieldSelector("a=1,b!=2").cost).toBe(2);
  });
});

describe("field selector bounds", () => {
  it("refuses more requirements than the bound", () => {
    const huge = Array.from({ length: 50_000 }, (_, i) => `metadata.name=n${i}`).join(",");
    const limits = { ...defaultSelectorLimits, maxLength: huge.length };
    expect(() => compileFieldSelector(huge, undefined, limits)).toThrow(
      `field selector has more than ${defaultSelectorLimits.maxRequirements} requirements`,
    );
  });

  it("refuses a selector longer than the bound", () => {
    expect(() =>
      compileFieldSelector(`metadata.name=${"a".repeat(defaultSelectorLimits.maxLength)}`),
    ).toThrow(/^field selector too long/);
  });

  it("quotes at most an excerpt of an invalid selector", () => {
    const invalid = "x".repeat(900_000);
    const limits = { ...defaultSelectorLimits, maxLength: 1_000_000 };
    let message = "";
    try {
      compileFieldSelector(invalid, undefined, limits);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid selector: 'x{80}… \(900000 characters\)'; can't understand 'x{80}…/);
    expect(message.length).toBeLessThan(300);
  });
});
