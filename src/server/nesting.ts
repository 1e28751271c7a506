/**
 * The deepest nesting of `{`, `(` and `[` in a GraphQL source, read in one linear pass that skips
 * strings, block strings and comments, as the lexer would. graphql-js parses recursively, so a
 * document of a few thousand open braces overflows the stack before any validation rule sees it;
 * this scan lets the server refuse it first. Unbalanced brackets are left for the parser to report.
 *
 * Stops as soon as `limit` is passed and returns a value above it, so a hostile document costs no
 * more than the prefix that gives it away.
 */
export function maxNesting(source: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  const end = source.length;
  while (i < end) {
    const c = source.charCodeAt(i);
    if (c === 0x7b || c === 0x28 || c === 0x5b) {
      // { ( [
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
      i++;
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      // } ) ]
      if (depth > 0) depth--;
      i++;
    } else if (c === 0x23) {
      // # comment, to the end of the line
      i++;
      while (i < end) {
        const d = source.charCodeAt(i);
        if (d === 0x0a || d === 0x0d) break;
        i++;
      }
    } else if (c === 0x22) {
      i = source.startsWith('"""', i) ? skipBlockString(source, i + 3) : skipString(source, i + 1);
    } else {
      i++;
    }
  }
  return deepest;
}

/** Past the closing quote of a "string" whose content starts at `i`; a string ends at a line break too. */
function skipString(source: string, i: number): number {
  const end = source.length;
  while (i < end) {
    const c = source.charCodeAt(i);
    // A backslash escapes the next character.
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else if (c === 0x0a || c === 0x0d) return i;
    else i++;
  }
  return end;
}

/** Past the closing `"""` of a block string whose content starts at `i`; `\"""` does not close it. */
function skipBlockString(source: string, i: number): number {
  const end = source.length;
  while (i < end) {
    const c = source.charCodeAt(i);
    if (c === 0x5c && source.startsWith('"""', i + 1)) i += 4;
    else if (c === 0x22 && source.startsWith('"""', i)) return i + 3;
    else i++;
  }
  return end;
}
