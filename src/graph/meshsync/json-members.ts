// Reading parts of a stored object's JSON text without parsing all of it: the wire shape MeshSync
// publishes carries .spec, .status and a few maps as JSON text, and the graph already holds the
// object as text, so the values can be cut out of it rather than parsed and written again.

/** One member of a JSON object: its key and where its value's text starts and ends. */
export interface JsonMember {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Just past the closing quote of the string whose opening quote is at `open`; -1 when it never closes. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > open && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Just past the value that starts at `start`; -1 when it is cut short. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const end = stringEnd(text, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    i++;
  }
  return i === start ? -1 : i;
}

/** The string a JSON string literal spanning [start, end) stands for. */
export function jsonStringAt(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  return inner.includes("\\") ? (JSON.parse(text.slice(start, end)) as string) : inner;
}

/**
 * The members, in text order, of the JSON object that starts at `open` (after any white space);
 * undefined when no well-formed object starts there. Nested values are skipped, not parsed.
 */
export function objectMembers(text: string, open = 0): JsonMember[] | undefined {
  let i = skipSpace(text, open);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const members: JsonMember[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return members;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const key = jsonStringAt(text, i, keyEnd);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const start = skipSpace(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    members.push({ key, start, end });
    i = skipSpace(text, end);
    const next = text.charCodeAt(i);
    if (next === CLOSE_BRACE) return members;
    if (next !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}

/** What the value of a member is, by its first character. */
export function jsonKindAt(text: string, start: number): "string" | "object" | "array" | "null" | "other" {
  switch (text.charCodeAt(start)) {
    case QUOTE:
      return "string";
    case OPEN_BRACE:
      return "object";
    case OPEN_BRACKET:
      return "array";
    case 110: // n
      return "null";
    default:
      return "other";
  }
}
