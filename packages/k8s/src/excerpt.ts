/** The most of a client's input an error message quotes: enough to find the mistake, never an echo. */
export const maxQuotedChars = 80;

/**
 * `text` itself when short; otherwise its start, an ellipsis and its full length. For messages that,
 * as the real server's do, show the input unquoted (`field label not supported: spec.bogus`).
 */
export function excerpt(text: string, max = maxQuotedChars): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * `text` in double quotes when short; otherwise its start, an ellipsis and its full length, so an
 * error about a 900 KB selector costs a hundred bytes, not 900 KB.
 */
export function quoteExcerpt(text: string, max = maxQuotedChars): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}
