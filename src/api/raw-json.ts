// JSON values that are already text: a stored object sent as the graph holds it, never parsed into a
// tree and written out again. A resolver returns a RawJson; the server's serializers write results with
// stringifyWithRawJson, which splices each one's text in. A serializer that does not know of them still
// writes the right JSON, at the cost of a parse: RawJson.toJSON gives the value itself.
import { randomBytes } from "node:crypto";

/** Texts met by the stringifyWithRawJson call under way, and the marker its placeholders carry. */
let collecting: { texts: string[]; marker: string } | undefined;

export class RawJson {
  /** `text` must be one JSON value, as JSON.stringify writes it. */
  constructor(readonly text: string) {}

  toJSON(): unknown {
    if (collecting === undefined) return JSON.parse(this.text);
    collecting.texts.push(this.text);
    return `${collecting.marker}${collecting.texts.length - 1}`;
  }
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/**
 * JSON.stringify(value), with the text of every RawJson in it as it is. Each is first written as a
 * string placeholder no value can forge (it starts with a NUL and a marker drawn for this call), which is
 * then replaced by the text.
 */
export function stringifyWithRawJson(value: unknown): string {
  const outer = collecting;
  const current = { texts: [] as string[], marker: `\u0000${randomBytes(8).toString("hex")}:` };
  collecting = current;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    collecting = outer;
  }
  if (current.texts.length === 0) return text;
  const placeholder = new RegExp(`"${escapeRegExp(JSON.stringify(current.marker).slice(1, -1))}(\\d+)"`, "g");
  return text.replace(placeholder, (_match, index: string) => current.texts[Number(index)]!);
}
