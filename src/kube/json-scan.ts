// Where the values of a JSON text begin and end, found without building them. The list and watch
// decoders use it to cut an object's text apart (managedFields out, the rest kept as it came) instead
// of parsing everything and writing most of it out again. It checks nesting and quoting only: the
// pieces that are kept are still given to JSON.parse, which is what validates them.

export class JsonShapeError extends Error {
  override name = "JsonShapeError";
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/**
 * Walking an array: from `i` (just past its `[` when `first`, else just past an element), where the
 * next element starts, or, when the array ends there, the index just past its `]` with `done`.
 */
export function nextElement(text: string, i: number, first: boolean): { at: number; done: boolean } {
  i = skipSpace(text, i);
  const c = text.charCodeAt(i);
  if (c === CLOSE_BRACKET) return { at: i + 1, done: true };
  if (first) return { at: i, done: false };
  if (c !== COMMA) throw new JsonShapeError(`no ',' or ']' at ${i}`);
  return { at: skipSpace(text, i + 1), done: false };
}

/** The first index at or after `i` that is not JSON whitespace. */
export function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index just past the string whose opening quote is at `i`. */
export function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new JsonShapeError(`unterminated string at ${i}`);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the JSON value that starts at `i` (whitespace before it skipped). */
export function skipValue(text: string, i: number): number {
  i = skipSpace(text, i);
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipContainer(text, i);
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  for (;;) {
    const d = text.charCodeAt(j);
    if (Number.isNaN(d) || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d <= 32) break;
    j++;
  }
  if (j === i) throw new JsonShapeError(`no value at ${i}`);
  return j;
}

function skipContainer(text: string, start: number): number {
  let depth = 0;
  const length = text.length;
  for (let j = start; j < length; ) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = skipString(text, j);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  throw new JsonShapeError(`unterminated ${text[start] === "{" ? "object" : "array"} at ${start}`);
}

/** One member of a JSON object: its key (decoded) and where the member and its value lie. */
export interface JsonMember {
  key: string;
  /** Index of the key's opening quote. */
  start: number;
  valueStart: number;
  /** Index just past the value. */
  end: number;
}

/**
 * Reads a member's value itself, as the object is walked, and says where it ends; undefined leaves the
 * value to be passed over. So a value the caller must look into is read once, not passed over and then
 * read again.
 */
export type ValueReader = (key: string, valueStart: number) => number | undefined;

/**
 * The members of the object whose `{` is at `start`, in order, and the index just past its `}`.
 * Throws JsonShapeError when the text is not an object there.
 */
export function objectMembers(
  text: string,
  start: number,
  readValue?: ValueReader,
): { members: JsonMember[]; end: number } {
  if (text.charCodeAt(start) !== OPEN_BRACE) throw new JsonShapeError(`no object at ${start}`);
  const members: JsonMember[] = [];
  let i = skipSpace(text, start + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return { members, end: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) throw new JsonShapeError(`no member name at ${i}`);
    const keyEnd = skipString(text, i);
    const rawKey = text.slice(i + 1, keyEnd - 1);
    const key = rawKey.includes("\\") ? (JSON.parse(text.slice(i, keyEnd)) as string) : rawKey;
    const colon = skipSpace(text, keyEnd);
    if (text.charCodeAt(colon) !== COLON) throw new JsonShapeError(`no ':' at ${colon}`);
    const valueStart = skipSpace(text, colon + 1);
    const end = readValue?.(key, valueStart) ?? skipValue(text, valueStart);
    members.push({ key, start: i, valueStart, end });
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return { members, end: i + 1 };
    if (c !== COMMA) throw new JsonShapeError(`no ',' or '}' at ${i}`);
    i = skipSpace(text, i + 1);
  }
}
