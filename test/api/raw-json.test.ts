import { describe, expect, it } from "vitest";
import { stringifyWithRawJson } from "../../src/api/index.js";
import { RawJson } from "../../src/api/raw-json.js";

describe("stringifyWithRawJson", () => {
  const objects = [
    {
      metadata: { name: "a", labels: { "app.kubernetes.io/name": 'say "hi"' } },
      data: { k: "\u0000\n\u2028" },
    },
    [1, null, { deep: [true, false, "x"] }],
    "just a string",
  ];

  it("writes each RawJson's text where the value stands, and the rest as JSON.stringify does", () => {
    const result = {
      data: {
        edges: objects.map((object, i) => ({
          cursor: `c${i}`,
          node: { object: new RawJson(JSON.stringify(object)) },
        })),
      },
    };
    const expected = JSON.stringify({
      data: { edges: objects.map((object, i) => ({ cursor: `c${i}`, node: { object } })) },
    });
    expect(stringifyWithRawJson(result)).toBe(expected);
  });

  it("splices the text as it is, without parsing or rewriting it", () => {
    expect(stringifyWithRawJson({ a: new RawJson('{ "spaced" :  1 }') })).toBe('{"a":{ "spaced" :  1 }}');
  });

  it("leaves alone a string that looks like a placeholder", () => {
    const forged = { a: "\u0000deadbeefdeadbeef:0", b: new RawJson("[1]") };
    expect(stringifyWithRawJson(forged)).toBe(JSON.stringify({ a: forged.a, b: [1] }));
  });

  it("gives a serializer that does not know RawJson the value itself", () => {
    expect(JSON.stringify({ a: new RawJson('{"b":[1,2]}') })).toBe('{"a":{"b":[1,2]}}');
  });
});
