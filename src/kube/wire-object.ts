// Objects decoded from list pages and watch lines the way the graph will keep them. managedFields are
// cut out of the text before anything is parsed (they are about half of a typical object's bytes, and
// nothing downstream reads them), and the text that remains is kept beside the object, so the graph
// stores it as it came instead of writing the object out again. The labels, annotations and owners are
// cut out of that text too: the graph holds those parsed, and splices them back in when it answers.
import {
  type JsonMember,
  JsonShapeError,
  nextElement,
  objectMembers,
  skipSpace,
  skipValue,
} from "./json-scan.js";
import type { KubeObject } from "./types.js";

/** What a decoded object's text holds: the object as JSON without the members the graph keeps parsed. */
export interface StorableText {
  /** The object's JSON without metadata.managedFields, labels, annotations and ownerReferences. */
  readonly text: string;
  /** Index of the `}` that closes metadata in `text`, where the cut members are spliced back in. */
  readonly metadataEnd: number;
}

/** The kind and apiVersion an object lacking them is of: real servers leave them off list items. */
export interface ObjectDefaults {
  kind: string;
  apiVersion: string;
}

// Weakly keyed: the text lives as long as the object it describes, and no longer.
const storableTexts = new WeakMap<object, StorableText>();

/**
 * The text an object was decoded from, minus what the graph keeps parsed; undefined for an object that
 * did not come through this decoder. Whoever changes a decoded object must not hand it on with its text.
 */
export function storableTextOf(object: KubeObject): StorableText | undefined {
  return storableTexts.get(object);
}

const PARSED_META = new Set(["labels", "annotations", "ownerReferences"]);

/**
 * The JSON value at `start` of `text`, decoded: an object with metadata comes out without
 * managedFields and with its storable text recorded. Throws (JsonShapeError, SyntaxError) when the text
 * is not JSON there.
 */
export function decodeObjectAt(
  text: string,
  start: number,
  defaults: ObjectDefaults,
): { value: unknown; end: number } {
  start = skipSpace(text, start);
  if (text.charCodeAt(start) !== 123) {
    const end = skipValue(text, start);
    return { value: JSON.parse(text.slice(start, end)), end };
  }
  let metaMembers: JsonMember[] | undefined;
  let metadataSeen = 0;
  const { members, end } = objectMembers(text, start, (key, valueStart) => {
    if (key !== "metadata") return undefined;
    metadataSeen++;
    if (text.charCodeAt(valueStart) !== 123) return undefined;
    const inner = objectMembers(text, valueStart);
    metaMembers = inner.members;
    return inner.end;
  });
  const meta = members.find((m) => m.key === "metadata");
  if (meta === undefined || metaMembers === undefined || metadataSeen !== 1) {
    // Nothing the graph could key (or two metadata members, which JSON.parse alone settles): parsed whole.
    return { value: JSON.parse(text.slice(start, end)), end };
  }
  const parsedMeta = new Map<string, JsonMember>();
  const keptMeta: string[] = [];
  for (const m of metaMembers) {
    if (m.key === "managedFields") continue;
    if (PARSED_META.has(m.key)) parsedMeta.set(m.key, m);
    else keptMeta.push(text.slice(m.start, m.end));
  }
  const pieces: string[] = [];
  if (!members.some((m) => m.key === "kind")) pieces.push(`"kind":${JSON.stringify(defaults.kind)}`);
  if (!members.some((m) => m.key === "apiVersion"))
    pieces.push(`"apiVersion":${JSON.stringify(defaults.apiVersion)}`);
  // Where metadata's `}` lands in the joined text: "{", every piece before it, one comma each.
  let metadataEnd = -1;
  let length = 1;
  for (const piece of pieces) length += piece.length + 1;
  for (const m of members) {
    const piece = m === meta ? `"metadata":{${keptMeta.join(",")}}` : text.slice(m.start, m.end);
    if (m === meta) metadataEnd = length + piece.length - 1;
    pieces.push(piece);
    length += piece.length + 1;
  }
  // join copies into one new string, so nothing kept refers back to the page it was cut from.
  const storable = `{${pieces.join(",")}}`;
  const value = JSON.parse(storable) as KubeObject;
  const objectMeta = value.metadata as Record<string, unknown>;
  for (const [key, m] of parsedMeta) objectMeta[key] = JSON.parse(text.slice(m.valueStart, m.end));
  storableTexts.set(value, { text: storable, metadataEnd });
  return { value, end };
}

/** A list answer, its items decoded as decodeObjectAt does. */
export interface DecodedList {
  /** Every member but an items array, parsed: kind, apiVersion, metadata. */
  readonly head: Record<string, unknown>;
  /** Undefined when the answer has no items array (then head says what it has instead, if anything). */
  readonly items: unknown[] | undefined;
}

/**
 * Decodes a list answer. `defaultsFor` is given the list's own apiVersion (when it says one before its
 * items, as every real server does) to name what its items are. Throws (JsonShapeError, SyntaxError)
 * when the text is not one JSON object.
 */
export function decodeList(text: string, defaultsFor: (apiVersion: unknown) => ObjectDefaults): DecodedList {
  const head: Record<string, unknown> = {};
  let items: unknown[] | undefined;
  const top = objectMembers(text, skipSpace(text, 0), (key, valueStart) => {
    if (key === "items" && text.charCodeAt(valueStart) === 91) {
      const defaults = defaultsFor(head.apiVersion);
      // A second items member replaces the first, as it does for JSON.parse.
      items = [];
      delete head.items;
      let next = nextElement(text, valueStart + 1, true);
      while (!next.done) {
        const item = decodeObjectAt(text, next.at, defaults);
        items.push(item.value);
        next = nextElement(text, item.end, false);
      }
      return next.at;
    }
    const end = skipValue(text, valueStart);
    setMember(head, key, JSON.parse(text.slice(valueStart, end)));
    if (key === "items") items = undefined;
    return end;
  });
  if (skipSpace(text, top.end) !== text.length) throw new JsonShapeError("text after the list's end");
  return { head, items };
}

/**
 * A watch line (`{"type":…,"object":…}`) as JSON.parse would give it, its object decoded as
 * decodeObjectAt does. Throws (JsonShapeError, SyntaxError) when the line is not a JSON object.
 */
export function decodeEventLine(line: string, defaults: ObjectDefaults): Record<string, unknown> {
  const top = objectMembers(line, skipSpace(line, 0));
  if (skipSpace(line, top.end) !== line.length) throw new JsonShapeError("text after the event's end");
  const event: Record<string, unknown> = {};
  for (const m of top.members) {
    if (m.key !== "object") setMember(event, m.key, JSON.parse(line.slice(m.valueStart, m.end)));
  }
  const object = top.members.findLast((m) => m.key === "object");
  if (object !== undefined) {
    // An ERROR carries a Status and a BOOKMARK a bare resourceVersion: nothing to store, parsed whole.
    const stored = event.type !== "ERROR" && event.type !== "BOOKMARK";
    event.object = stored
      ? decodeObjectAt(line, object.valueStart, defaults).value
      : JSON.parse(line.slice(object.valueStart, object.end));
  }
  return event;
}

/** As JSON.parse sets a member: an own property, even one named __proto__. */
function setMember(into: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(into, key, { value, writable: true, enumerable: true, configurable: true });
}
