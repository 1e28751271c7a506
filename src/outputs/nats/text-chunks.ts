/** Splits text into pieces of at most `max` UTF-16 units, never between the halves of a surrogate pair. */
export function textChunks(text: string, max: number): string[] {
  if (text.length <= max) return text === "" ? [] : [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
