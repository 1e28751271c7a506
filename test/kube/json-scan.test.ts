import { describe, expect, it } from "vitest";
import {
  JsonShapeError,
  nextElement,
  objectMembers,
  skipSpace,
  skipString,
  skipValue,
  type ValueReader,
} from "../../src/kube/json-scan.js";

describe("skipString", () => {
  it("passes over an escaped quote inside a string", () => {
    const text = String.raw`"a\"b",1`;
    const end = skipString(text, 0);
    expect(text.slice(0, end)).toBe(String.raw`"a\"b"`);
    expect(JSON.parse(text.slice(0, end))).toBe('a"b');
  });

  it("ends a string whose last character is an escaped backslash", () => {
    const text = String.raw`"c\\",2`;
    const end = skipString(text, 0);
    expect(text.slice(0, end)).toBe(String.raw`"c\\"`);
    expect(JSON.parse(text.slice(0, end))).toBe("c\\");
  });

  it("tells an escaped quote after escaped backslashes from a closing one", () => {
    // \\\" is a backslash then a quote, both in the string; \\\\" is two backslashes, then the end.
    const text = String.raw`"x\\\"y\\\\",3`;
    const end = skipString(text, 0);
    expect(JSON.parse(text.slice(0, end))).toBe('x\\"y\\\\');
    expect(text.slice(end)).toBe(",3");
  });

  it("throws JsonShapeError for a string that never closes", () => {
    expect(() => skipString('"abc', 0)).toThrow(JsonShapeError);
    expect(() => skipString(String.raw`"abc\"`, 0)).toThrow(JsonShapeError);
  });
});

describe("skipSpace", () => {
  it("passes over exactly the four JSON whitespace characters", () => {
    expect(skipSpace(" \t\r\n x", 0)).toBe(5);
    expect(skipSpace("x", 0)).toBe(0);
    // A no-break space and a form feed are not JSON whitespace.
    expect(skipSpace("\u00a0x", 0)).toBe(0);
    expect(skipSpace("\fx", 0)).toBe(0);
    expect(skipSpace("   ", 0)).toBe(3);
  });
});

describe("skipValue", () => {
  it("finds the end of nested containers whose strings hold brackets and braces", () => {
    const value = String.raw`{"a":["]","}",{"b":"{[\"}"}],"c":{"d":[[],{}]},"e":"\\"}`;
    const text = `${value} ,"next":1`;
    const end = skipValue(text, 0);
    expect(end).toBe(value.length);
    expect(JSON.parse(text.slice(0, end))).toEqual(JSON.parse(value));
  });

  it("passes over whitespace before a value and inside containers", () => {
    const value = '[ \n\t1 ,\r\n { "k" :\t"v" } , [ ] ]';
    const text = ` \n\t${value}\n ]`;
    const end = skipValue(text, 0);
    expect(text.slice(skipSpace(text, 0), end)).toBe(value);
  });

  it("ends numbers, true, false and null at the next delimiter or the end of the text", () => {
    const cases: [text: string, value: string][] = [
      ["-1.5e+10,", "-1.5e+10"],
      ["0 ", "0"],
      ["42}", "42"],
      ["true]", "true"],
      ["false\n", "false"],
      ["null", "null"],
      ["  7", "7"],
    ];
    for (const [text, value] of cases) {
      const end = skipValue(text, 0);
      const start = skipSpace(text, 0);
      expect(text.slice(start, end), text).toBe(value);
      expect(JSON.parse(text.slice(start, end))).toEqual(JSON.parse(value));
    }
  });

  it("throws JsonShapeError for an object or array that never closes", () => {
    expect(() => skipValue('{"a":[1,2]', 0)).toThrow(JsonShapeError);
    expect(() => skipValue('[1,{"a":2}', 0)).toThrow(JsonShapeError);
    expect(() => skipValue('{"a":"}"', 0)).toThrow(JsonShapeError);
    expect(() => skipValue('{"a":"b', 0)).toThrow(JsonShapeError);
  });

  it("throws JsonShapeError where no value starts", () => {
    expect(() => skipValue("", 0)).toThrow(JsonShapeError);
    expect(() => skipValue("  ,1", 0)).toThrow(JsonShapeError);
    expect(() => skipValue("}", 0)).toThrow(JsonShapeError);
  });
});

describe("objectMembers", () => {
  it("gives each member's position so that the slice is the member's text", () => {
    const text = String.raw`{"name":"a\"b","n":-3.5,"list":[1,"]",{"x":null}],"obj":{"deep":{"k":"}"}},"t":true,"f":false,"z":null}`;
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const { members, end } = objectMembers(text, 0);
    expect(end).toBe(text.length);
    expect(members.map((m) => m.key)).toEqual(Object.keys(parsed));
    for (const m of members) {
      expect(text.slice(m.start, m.end)).toBe(`"${m.key}":${JSON.stringify(parsed[m.key])}`);
      expect(JSON.parse(`{${text.slice(m.start, m.end)}}`)).toEqual({ [m.key]: parsed[m.key] });
      expect(JSON.parse(text.slice(m.valueStart, m.end))).toEqual(parsed[m.key]);
    }
  });

  it("reads members with whitespace wherever JSON allows it", () => {
    const text = '{ \n\t"a" \r\n : \t[ 1 , { } ] ,\n "b"\t:"x" , "c" : { "d" : 1 } \n}  tail';
    const { members, end } = objectMembers(text, 0);
    expect(text.slice(end)).toBe("  tail");
    expect(members.map((m) => m.key)).toEqual(["a", "b", "c"]);
    const whole = JSON.parse(text.slice(0, end)) as Record<string, unknown>;
    for (const m of members) {
      expect(text[m.start]).toBe('"');
      expect(JSON.parse(text.slice(m.valueStart, m.end))).toEqual(whole[m.key]);
      // The member's text is the key, the colon and the value, with the whitespace it came with.
      expect(JSON.parse(`{${text.slice(m.start, m.end)}}`)).toEqual({ [m.key]: whole[m.key] });
    }
  });

  it("reads an empty object, with or without whitespace inside", () => {
    expect(objectMembers("{}", 0)).toEqual({ members: [], end: 2 });
    expect(objectMembers("{ \n }x", 0)).toEqual({ members: [], end: 5 });
  });

  it("starts at the given index, not at the text's start", () => {
    const text = '[1,{"k":2}]';
    const { members, end } = objectMembers(text, 3);
    expect(members).toEqual([{ key: "k", start: 4, valueStart: 8, end: 9 }]);
    expect(end).toBe(10);
  });

  it("decodes escaped keys", () => {
    const text = String.raw`{"a\u0062":1,"q\"k":2,"back\\slash":3,"caf\u00e9":4,"plain":5}`;
    const { members } = objectMembers(text, 0);
    expect(members.map((m) => m.key)).toEqual(Object.keys(JSON.parse(text)));
    expect(members.map((m) => m.key)).toEqual(["ab", 'q"k', "back\\slash", "café", "plain"]);
  });

  it("lets a ValueReader consume a value, continuing where the reader says it ends", () => {
    // `<a,b>` is no JSON: passed over, it would end at its comma and the walk would fail after it.
    const text = '{"raw":<a,b>,"b":2, "c" : [3]}';
    expect(() => objectMembers(text, 0)).toThrow(JsonShapeError);
    const calls: [string, number][] = [];
    const reader: ValueReader = (key, valueStart) => {
      calls.push([key, valueStart]);
      return key === "raw" ? text.indexOf(">", valueStart) + 1 : undefined;
    };
    const { members, end } = objectMembers(text, 0, reader);
    expect(end).toBe(text.length);
    expect(members.map((m) => [m.key, text.slice(m.valueStart, m.end)])).toEqual([
      ["raw", "<a,b>"],
      ["b", "2"],
      ["c", "[3]"],
    ]);
    expect(calls).toEqual([
      ["raw", text.indexOf("<")],
      ["b", text.indexOf("2")],
      ["c", text.indexOf("[")],
    ]);
  });

  it("throws JsonShapeError for an object that never closes or is not an object", () => {
    const bad = [
      '{"a":1',
      '{"a":1,',
      '{"a"',
      '{"a":',
      '{"a" 1}',
      '{"a":1 "b":2}',
      "{a:1}",
      "[1]",
      '{"a":"x}',
    ];
    for (const text of bad) expect(() => objectMembers(text, 0), text).toThrow(JsonShapeError);
  });
});

describe("nextElement", () => {
  it("walks an array's elements, whitespace included, to just past its ]", () => {
    const text = '[ 1 ,\n"x" , [2,3] ,{"a":"]"} ] tail';
    const found: string[] = [];
    let next = nextElement(text, 1, true);
    while (!next.done) {
      const end = skipValue(text, next.at);
      found.push(text.slice(next.at, end));
      next = nextElement(text, end, false);
    }
    expect(found).toEqual(["1", '"x"', "[2,3]", '{"a":"]"}']);
    expect(text.slice(next.at)).toBe(" tail");
  });

  it("finds an empty array done at once", () => {
    expect(nextElement("[ ]", 1, true)).toEqual({ at: 3, done: true });
  });

  it("throws JsonShapeError when elements are not separated by commas", () => {
    expect(() => nextElement("[1 2]", 2, false)).toThrow(JsonShapeError);
    expect(() => nextElement("[1", 2, false)).toThrow(JsonShapeError);
  });
});
