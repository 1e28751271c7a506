// A long result written out a chunk a turn. Four pages of a thousand whole objects serialize to over
// ten megabytes: joined into one string, encoded to UTF-8 and handed to the socket in one go, that held
// the event loop for tens of milliseconds per result on an idle machine, and every other client waited.
// Cut into chunks, each turn encodes and writes one, and whatever else is due runs between them.

/** Characters of a result encoded and written in one turn; a result no longer than this is written whole. */
export const chunkChars = 64 * 1024;

export function totalChars(pieces: readonly string[]): number {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  return total;
}

/** Whether pieces make a message long enough to be written a chunk a turn. */
export function isLong(pieces: readonly string[]): boolean {
  return totalChars(pieces) > chunkChars;
}

export interface TextChunk {
  text: string;
  /** The message's end: no chunk follows. */
  last: boolean;
}

/** A high surrogate: the first half of a character that UTF-16 writes as two units. */
function endsInHighSurrogate(text: string, at: number): boolean {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The concatenation of `pieces` in chunks of at most `size` characters (at least one chunk, maybe
 * empty). A piece longer than what is left of a chunk is cut, never between the halves of a surrogate
 * pair, so that every chunk encodes on its own to the bytes the whole would.
 */
export function* chunksOf(pieces: readonly string[], size = chunkChars): Generator<TextChunk> {
  let parts: string[] = [];
  let length = 0;
  let ready: string | undefined;
  for (let piece of pieces) {
    while (length + piece.length > size) {
      let cut = size - length;
      // A pair that would straddle the cut goes to the next chunk, or whole into this one when it is
      // all this chunk would hold.
      if (endsInHighSurrogate(piece, cut)) cut += cut === 1 && length === 0 ? 1 : -1;
      parts.push(piece.slice(0, cut));
      piece = piece.slice(cut);
      if (ready !== undefined) yield { text: ready, last: false };
      ready = parts.join("");
      parts = [];
      length = 0;
    }
    if (piece.length > 0) {
      parts.push(piece);
      length += piece.length;
    }
  }
  if (length > 0) {
    if (ready !== undefined) yield { text: ready, last: false };
    ready = parts.join("");
  }
  yield { text: ready ?? "", last: true };
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The pieces as UTF-8, a chunk a turn, for a stream whose reader pulls them (an HTTP response body). */
export async function* bytesInTurns(pieces: readonly string[]): AsyncGenerator<Buffer> {
  for (const { text, last } of chunksOf(pieces)) {
    yield Buffer.from(text);
    if (!last) await nextTurn();
  }
}
