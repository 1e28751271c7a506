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

/** The most items of a client's list, or of a list of what is known, one message names. */
export const maxListedItems = 5;

/**
 * Some items, each an excerpt, joined with commas, and how many more there are: a message about ten
 * thousand kinds names five. `quote` puts each in double quotes, as names a client sent are shown.
 */
export function listExcerpt(
  items: readonly string[],
  options: { quote?: boolean; max?: number } = {},
): string {
  const max = options.max ?? maxListedItems;
  const show = options.quote ? quoteExcerpt : excerpt;
  const shown = items.slice(0, max).map((item) => show(item));
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : shown.join(", ");
}
