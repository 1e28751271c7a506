// The decoder against JSON.parse of the same text: what a list page or watch line decodes into must be
// what JSON.parse gives, less managedFields and with kind and apiVersion filled in, however the text is
// laid out; and the text kept beside each object must give that object back.
import { type RunningSimulator, startSimulator } from "@meshsync/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import {
  decodeEventLine,
  decodeList,
  decodeObjectAt,
  type ObjectDefaults,
  storableTextOf,
} from "../../src/kube/wire-object.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const defaults: ObjectDefaults = { kind: "Widget", apiVersion: "example.com/v1" };
const PARSED_META = ["labels", "annotations", "ownerReferences"] as const;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---- Writing the same value in many layouts -------------------------------------------------------

/** A small seeded generator, so that a failing layout is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Layout {
  name: string;
  /** Whitespace to put between two tokens. */
  space: () => string;
  order: (keys: string[]) => string[];
  /** Every character past ASCII written as a \u escape. */
  asciiOnly: boolean;
}

function escapedString(value: string, asciiOnly: boolean): string {
  const json = JSON.stringify(value);
  return asciiOnly
    ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : json;
}

function write(value: Json, layout: Layout): string {
  const s = layout.space;
  if (typeof value === "string") return escapedString(value, layout.asciiOnly);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return `[${s()}]`;
    return `[${s()}${value.map((v) => write(v, layout)).join(`${s()},${s()}`)}${s()}]`;
  }
  const keys = layout.order(Object.keys(value));
  if (keys.length === 0) return `{${s()}}`;
  const members = keys.map(
    (k) => `${escapedString(k, layout.asciiOnly)}${s()}:${s()}${write(value[k] as Json, layout)}`,
  );
  return `{${s()}${members.join(`${s()},${s()}`)}${s()}}`;
}

function spaces(seed: number, choices: string[]): () => string {
  const random = seeded(seed);
  return () => choices[Math.floor(random() * choices.length)]!;
}

function shuffled(seed: number): (keys: string[]) => string[] {
  const random = seeded(seed);
  return (keys) => {
    const out = [...keys];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
}

const asIs = (keys: string[]) => keys;
const reversed = (keys: string[]) => [...keys].reverse();
const none = () => "";

/** Layouts for a whole list page: anything JSON allows. */
const pageLayouts: Layout[] = [
  { name: "compact", space: none, order: asIs, asciiOnly: false },
  { name: "pretty", space: spaces(1, ["\n  ", " "]), order: asIs, asciiOnly: false },
  {
    name: "reversed keys, random whitespace",
    space: spaces(2, ["", " ", "\n", "\t", "\r\n", "  "]),
    order: reversed,
    asciiOnly: false,
  },
  {
    name: "shuffled keys, \\u escapes",
    space: spaces(3, ["", " ", "\n\t"]),
    order: shuffled(4),
    asciiOnly: true,
  },
  {
    name: "shuffled keys, lots of whitespace",
    space: spaces(5, [" \n ", "\t\t", "\r\n  "]),
    order: shuffled(6),
    asciiOnly: false,
  },
];

/** Layouts for a watch line: no line breaks. */
const lineLayouts: Layout[] = [
  { name: "compact", space: none, order: asIs, asciiOnly: false },
  { name: "spaces, reversed keys", space: spaces(7, ["", " ", "\t"]), order: reversed, asciiOnly: false },
  { name: "shuffled keys, \\u escapes", space: spaces(8, ["", "  "]), order: shuffled(9), asciiOnly: true },
];

// ---- The objects --------------------------------------------------------------------------------

const managedFields: Json = [
  {
    manager: "kubectl-client-side-apply",
    operation: "Update",
    apiVersion: "v1",
    time: "2026-01-05T09:00:35Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} }, "f:annotations": { "f:note": {} } },
      "f:spec": { 'f:containers{"name":"main"}': { ".": {}, "f:image": {} } },
    },
  },
  { manager: "kubelet", operation: "Update", subresource: "status", fieldsV1: { "f:status": { "}]": {} } } },
];

const labels: Json = { app: "shop", "app.kubernetes.io/part-of": "store", tier: "web" };
const annotations: Json = {
  note: 'has "quotes", a \\ backslash, and a }] bracket',
  "kubectl.kubernetes.io/last-applied-configuration":
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}\n',
};
const ownerReferences: Json = [
  {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    name: "shop-7f9",
    uid: "rs-uid-1",
    controller: true,
    blockOwnerDeletion: true,
  },
];

function meta(name: string, extra: JsonObject = {}): JsonObject {
  return { name, namespace: "shop", uid: `uid-${name}`, resourceVersion: "17", ...extra };
}

const podBody: JsonObject = {
  spec: {
    nodeName: "node-a",
    containers: [
      { name: "main", image: "shop:1.2", ports: [{ containerPort: 8080 }], args: ["--x={}", "[]"] },
    ],
    replicas: 3,
    ratio: -1.5e-7,
    enabled: true,
    disabled: false,
    nothing: null,
  },
  status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
};

/** Every shape of object the decoder must give back as JSON.parse does. */
const shapes: [name: string, object: JsonObject][] = [
  [
    "everything in metadata",
    {
      kind: "Pod",
      apiVersion: "v1",
      metadata: meta("full", { labels, annotations, ownerReferences, managedFields, finalizers: ["x/y"] }),
      ...podBody,
    },
  ],
  ["no kind or apiVersion", { metadata: meta("bare", { labels, managedFields }), ...podBody }],
  ["kind only", { kind: "Pod", metadata: meta("kind-only"), ...podBody }],
  ["apiVersion only", { apiVersion: "v1", metadata: meta("api-only", { annotations }) }],
  ["none of the cut members", { kind: "Pod", apiVersion: "v1", metadata: meta("plain"), ...podBody }],
  ["empty metadata", { kind: "Pod", apiVersion: "v1", metadata: {} }],
  ["empty metadata, nothing else", { metadata: {} }],
  ["metadata with only managedFields", { kind: "Pod", metadata: { managedFields }, spec: { a: 1 } }],
  ["metadata with only labels", { kind: "Pod", apiVersion: "v1", metadata: { labels } }],
  ["metadata with only managedFields and owners", { metadata: { ownerReferences, managedFields } }],
  ["labels, annotations and owners, nothing else", { metadata: { labels, annotations, ownerReferences } }],
  [
    "empty maps and lists, null values",
    {
      kind: "Pod",
      metadata: meta("empties", {
        labels: {},
        annotations: {},
        ownerReferences: [],
        deletionTimestamp: null,
      }),
      spec: {},
      status: { list: [], map: {} },
    },
  ],
  [
    "unicode and escapes",
    {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: meta("café-ü", {
        labels: { 日本: "語", emoji: "🚀" },
        annotations: {
          quote: '"',
          backslash: "\\",
          both: '\\"',
          newline: "a\nb\r\tc",
          separators: "\u2028\u2029",
        },
      }),
      data: {
        'we"ird key': 'value with \\ and " and \u0000 and \u001f',
        ключ: "значение",
        "</script>": "<!-- -->",
        "\\": "\\\\",
        surrogates: "😀𝄞",
      },
    },
  ],
];

/** What JSON.parse gives for an item, less managedFields and with the defaults where kind or apiVersion is missing. */
function expectedItem(item: unknown): unknown {
  if (!isObject(item) || !isObject(item.metadata)) return item;
  delete item.metadata.managedFields;
  if (!Object.hasOwn(item, "kind")) item.kind = defaults.kind;
  if (!Object.hasOwn(item, "apiVersion")) item.apiVersion = defaults.apiVersion;
  return item;
}

function withoutParsedMeta(object: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(object)) as JsonObject;
  const m = copy.metadata as JsonObject;
  for (const key of PARSED_META) delete m[key];
  return copy;
}

/** The object's storable text with labels, annotations and owners put back at metadataEnd. */
function spliced(expected: JsonObject, text: string, metadataEnd: number): string {
  const m = expected.metadata as JsonObject;
  const maps = PARSED_META.filter((key) => Object.hasOwn(m, key)).map(
    (key) => `${JSON.stringify(key)}:${JSON.stringify(m[key])}`,
  );
  if (maps.length === 0) return text;
  const keptMetadata = Object.keys(withoutParsedMeta(expected).metadata as JsonObject);
  const separator = keptMetadata.length === 0 ? "" : ",";
  return `${text.slice(0, metadataEnd)}${separator}${maps.join(",")}${text.slice(metadataEnd)}`;
}

/** Checks one decoded object and its storable text against what JSON.parse gave. */
function expectStoredAs(decoded: unknown, expected: JsonObject, what: string): void {
  expect(decoded, what).toStrictEqual(expected);
  const storable = storableTextOf(decoded as KubeObject);
  expect(storable, `${what}: storable text`).toBeDefined();
  const { text, metadataEnd } = storable!;
  expect(JSON.parse(text), `${what}: storable text parsed`).toStrictEqual(withoutParsedMeta(expected));
  expect(text[metadataEnd], `${what}: character at metadataEnd`).toBe("}");
  let splicedText = "";
  expect(() => {
    splicedText = spliced(expected, text, metadataEnd);
    JSON.parse(splicedText);
  }, `${what}: spliced text is JSON`).not.toThrow();
  expect(JSON.parse(splicedText), `${what}: spliced text parsed`).toStrictEqual(expected);
}

function listOf(items: Json[]): JsonObject {
  return {
    kind: "WidgetList",
    apiVersion: "example.com/v1",
    metadata: { resourceVersion: "17", continue: "" },
    items,
  };
}

function headOf(text: string): Record<string, unknown> {
  const head = JSON.parse(text) as Record<string, unknown>;
  delete head.items;
  return head;
}

describe("decodeList against JSON.parse", () => {
  for (const layout of pageLayouts) {
    it(`decodes every shape of object laid out ${layout.name}`, () => {
      const text = write(listOf(shapes.map(([, object]) => object)), layout);
      const decoded = decodeList(text, () => defaults);
      const expected = (JSON.parse(text) as { items: unknown[] }).items.map(expectedItem);
      expect(decoded.items).toHaveLength(shapes.length);
      decoded.items!.forEach((item, i) => {
        expectStoredAs(item, expected[i] as JsonObject, `${layout.name}: ${shapes[i]![0]}`);
      });
      expect(decoded.head).toStrictEqual(headOf(text));
    });
  }

  it("decodes each shape alone, in every layout, as the only item of a page", () => {
    for (const layout of pageLayouts)
      for (const [name, object] of shapes) {
        const text = write(listOf([object]), layout);
        const decoded = decodeList(text, () => defaults);
        const expected = expectedItem((JSON.parse(text) as { items: unknown[] }).items[0]);
        expect(decoded.items).toHaveLength(1);
        expectStoredAs(decoded.items![0], expected as JsonObject, `${layout.name}: ${name}`);
      }
  });

  it("reads escaped spellings of metadata and managedFields as the names they decode to", () => {
    const item = String.raw`{"meta\u0064ata":{"name":"esc","managed\u0046ields":[{"manager":"m"}],"l\u0061bels":{"a":"b"}},"kind":"Pod"}`;
    const text = `{"kind":"PodList","items":[${item}]}`;
    const decoded = decodeList(text, () => defaults);
    const expected = expectedItem(JSON.parse(item)) as JsonObject;
    expect(expected.metadata).toStrictEqual({ name: "esc", labels: { a: "b" } });
    expectStoredAs(decoded.items![0], expected, "escaped names");
  });

  it("names the items by the list's apiVersion, given before them", () => {
    const text = '{"apiVersion":"apps/v1","kind":"DeploymentList","items":[{"metadata":{"name":"d"}}]}';
    const asked: unknown[] = [];
    const decoded = decodeList(text, (apiVersion) => {
      asked.push(apiVersion);
      return { kind: "Deployment", apiVersion: String(apiVersion) };
    });
    expect(asked).toEqual(["apps/v1"]);
    expect(decoded.items).toStrictEqual([
      { kind: "Deployment", apiVersion: "apps/v1", metadata: { name: "d" } },
    ]);
  });

  it("gives an object with two metadata members the last one, as JSON.parse does", () => {
    const item =
      '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"first","labels":{"a":"1"}},"spec":{},"metadata":{"name":"second","uid":"u2","labels":{"b":"2"}}}';
    const decoded = decodeList(`{"items":[${item}]}`, () => defaults);
    expect(decoded.items).toStrictEqual([JSON.parse(item)]);
    const object = decoded.items![0] as KubeObject;
    expect(object.metadata).toStrictEqual({ name: "second", uid: "u2", labels: { b: "2" } });
    // Keeping no text is one answer; text that would not give the object back is not.
    if (storableTextOf(object) !== undefined)
      expectStoredAs(object, JSON.parse(item), "two metadata members");
  });

  it("takes the last of repeated members inside metadata and out, as JSON.parse does", () => {
    const item =
      '{"kind":"A","metadata":{"labels":{"a":"1"},"name":"x","managedFields":[],"labels":{"b":"2"},"name":"y","annotations":{"c":"3"},"annotations":{}},"spec":1,"kind":"B","spec":2}';
    const decoded = decodeList(`{"items":[${item}]}`, () => defaults);
    expectStoredAs(decoded.items![0], expectedItem(JSON.parse(item)) as JsonObject, "repeated members");
  });

  it("gives items that are not objects as JSON.parse gives them", () => {
    const text =
      '{"items":[ 1 , null, "s", [1,{"metadata":{"managedFields":[]}}], true, -2.5e3, {"metadata":{"name":"a"}} ]}';
    const decoded = decodeList(text, () => defaults);
    const expected = (JSON.parse(text) as { items: unknown[] }).items;
    expect(decoded.items!.slice(0, 6)).toStrictEqual(expected.slice(0, 6));
    expect(decoded.items![6]).toStrictEqual(expectedItem(expected[6]));
  });

  it("takes the last of two items members, as JSON.parse does", () => {
    const twice = '{"items":[{"metadata":{"name":"a"}}],"kind":"L","items":[{"metadata":{"name":"b"}}]}';
    expect(decodeList(twice, () => defaults).items).toStrictEqual(
      (JSON.parse(twice) as { items: unknown[] }).items.map(expectedItem),
    );
    const thenNull = '{"items":[{"metadata":{"name":"a"}}],"items":null}';
    const decoded = decodeList(thenNull, () => defaults);
    expect(decoded.items).toBeUndefined();
    expect(decoded.head).toStrictEqual(JSON.parse(thenNull));
  });

  it("decodes an empty page", () => {
    const text = '{ "kind" : "PodList" , "metadata" : { } , "items" : [ ] }\n';
    expect(decodeList(text, () => defaults)).toStrictEqual({ head: headOf(text), items: [] });
  });

  it("keeps __proto__ members as own properties, changing no prototype", () => {
    const item =
      '{"__proto__":{"polluted":"item"},"metadata":{"name":"p","__proto__":{"polluted":"meta"},"labels":{"__proto__":"label"}}}';
    const text = `{"kind":"PodList","__proto__":{"polluted":"head"},"metadata":{},"items":[${item}]}`;
    const decoded = decodeList(text, () => defaults);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded.head)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded.head, "__proto__")?.value).toStrictEqual({
      polluted: "head",
    });
    expect(decoded.head).toStrictEqual(headOf(text));
    const object = decoded.items![0] as KubeObject & Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(object.metadata)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(object.metadata!.labels)).toBe(Object.prototype);
    expect(object).toStrictEqual(expectedItem(JSON.parse(item)));
  });
});

describe("decodeList on malformed text", () => {
  const page = write(listOf(shapes.slice(0, 4).map(([, object]) => object)), pageLayouts[2]!);

  it("throws for every truncation of a page", () => {
    expect(page.trimEnd()).toBe(page);
    const decodedPrefixes: number[] = [];
    for (let length = 0; length < page.length; length++) {
      try {
        decodeList(page.slice(0, length), () => defaults);
        decodedPrefixes.push(length);
      } catch {
        // What must happen.
      }
    }
    expect(decodedPrefixes, "prefix lengths that decoded").toEqual([]);
  });

  it("throws for text after the list's end", () => {
    for (const tail of [" x", "{}", ",", " 1", "]", '"s"'])
      expect(() => decodeList(`${page}${tail}`, () => defaults), tail).toThrow();
  });

  it("throws for a page that is not an object", () => {
    for (const text of ["42", " 42 ", "null", '"PodList"', "[]", "", "true"])
      expect(() => decodeList(text, () => defaults), text).toThrow();
  });

  it("throws for a member value that is not JSON, as JSON.parse does", () => {
    for (const text of [
      '{"kind":tru,"items":[]}',
      '{"items":[{"metadata":{"name":nope}}]}',
      '{"items":[01]}',
    ]) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(() => decodeList(text, () => defaults), text).toThrow();
    }
  });
});

describe("decodeObjectAt", () => {
  it("decodes a value at an offset and says where it ends", () => {
    const object = '{"metadata":{"name":"x","managedFields":[]}}';
    const text = `[1, ${object} ,2]`;
    const { value, end } = decodeObjectAt(text, 3, defaults);
    expect(text.slice(end)).toBe(" ,2]");
    expectStoredAs(value, expectedItem(JSON.parse(object)) as JsonObject, "object at an offset");
  });
});

function eventText(type: string, object: Json, layout: Layout): string {
  return write({ type, object }, layout);
}

describe("decodeEventLine", () => {
  const [, pod] = shapes[0]!;
  for (const type of ["ADDED", "MODIFIED", "DELETED"])
    it(`decodes the object of ${type}, in every layout`, () => {
      for (const layout of lineLayouts)
        for (const [name, object] of shapes) {
          const line = eventText(type, object, layout);
          expect(line).not.toContain("\n");
          const event = decodeEventLine(line, defaults);
          const expected = JSON.parse(line) as { type: string; object: unknown };
          expect(event.type).toBe(type);
          expect(Object.keys(event).sort()).toEqual(["object", "type"]);
          expectStoredAs(
            event.object,
            expectedItem(expected.object) as JsonObject,
            `${type} ${layout.name} ${name}`,
          );
        }
    });

  it("decodes an event whose type comes after its object", () => {
    const line = `{"object":${JSON.stringify(pod)} , "type":"MODIFIED"}`;
    const event = decodeEventLine(line, defaults);
    expect(event.type).toBe("MODIFIED");
    expectStoredAs(event.object, expectedItem(JSON.parse(line).object) as JsonObject, "type last");
  });

  it("gives a BOOKMARK's object as JSON.parse does", () => {
    // No kind: the decoder of stored objects would have filled one in.
    for (const line of [
      '{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}',
      '{"object":{"metadata":{"resourceVersion":"13","managedFields":[]}},"type":"BOOKMARK"}',
    ]) {
      const event = decodeEventLine(line, defaults);
      expect(event, line).toStrictEqual(JSON.parse(line));
      expect(storableTextOf(event.object as KubeObject)).toBeUndefined();
    }
  });

  it("gives an ERROR's object as JSON.parse does", () => {
    const line =
      '{"type":"ERROR","object":{"kind":"Status","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}';
    const event = decodeEventLine(line, defaults);
    expect(event).toStrictEqual(JSON.parse(line));
    expect(storableTextOf(event.object as KubeObject)).toBeUndefined();
  });

  it("keeps a __proto__ member as an own property, changing no prototype", () => {
    const line =
      '{"type":"ADDED","__proto__":{"polluted":"event"},"object":{"metadata":{"name":"p","uid":"u"}}}';
    const event = decodeEventLine(line, defaults);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event, "__proto__")?.value).toStrictEqual({ polluted: "event" });
    const expected = JSON.parse(line) as Record<string, unknown>;
    expected.object = expectedItem(expected.object);
    expect(event).toStrictEqual(expected);
  });

  it("throws for a line that is not one JSON object", () => {
    const good = eventText("ADDED", pod, lineLayouts[0]!);
    for (const line of [
      good.slice(0, -1),
      good.slice(0, good.length / 2),
      `${good} {}`,
      `${good}x`,
      "42",
      "null",
      "",
    ])
      expect(() => decodeEventLine(line, defaults), line.slice(-40)).toThrow();
  });
});

describe("decodeList on the simulator's pages", () => {
  let sim: RunningSimulator;
  const pods: ObjectDefaults = { kind: "Pod", apiVersion: "v1" };
  const services: ObjectDefaults = { kind: "Service", apiVersion: "v1" };

  beforeAll(async () => {
    sim = await startSimulator({ scenario: "small", controllers: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function page(path: string): Promise<string> {
    const response = await fetch(`${sim.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status, path).toBe(200);
    return response.text();
  }

  for (const [path, typeDefaults] of [
    ["/api/v1/pods?limit=20", pods],
    ["/api/v1/services", services],
  ] as const)
    it(`decodes ${path} as JSON.parse does`, async () => {
      const text = await page(path);
      const decoded = decodeList(text, () => typeDefaults);
      const expected = (JSON.parse(text) as { items: unknown[] }).items;
      // The page must hold what the decoder is there to cut, or this shows nothing.
      expect(text).toContain('"managedFields"');
      expect(expected.length).toBeGreaterThan(0);
      expect(decoded.items).toHaveLength(expected.length);
      decoded.items!.forEach((item, i) => {
        const want = expected[i] as JsonObject;
        if (!Object.hasOwn(want, "kind")) want.kind = typeDefaults.kind;
        if (!Object.hasOwn(want, "apiVersion")) want.apiVersion = typeDefaults.apiVersion;
        delete (want.metadata as JsonObject).managedFields;
        expectStoredAs(item, want, `${path} item ${i}`);
      });
      expect(decoded.head).toStrictEqual(headOf(text));
    });
});
