// Kubernetes label and field selector syntax (k8s.io/apimachinery/pkg/labels and pkg/fields), compiled
// once into predicates so a filter costs one function call per object.

export class SelectorError extends Error {
  override name = "SelectorError";
}

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;
export type FieldPredicate = (read: (path: string) => string | undefined) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside a parenthesised value set. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new SelectorError(`unbalanced ")" in selector "${text}"`);
  }
  if (depth !== 0) throw new SelectorError(`unbalanced "(" in selector "${text}"`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.length > 316)
    throw new SelectorError(`invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorError(`invalid label value "${value}" in selector "${selector}"`);
  }
  return value;
}

function compileLabelRequirement(req: string, selector: string): LabelPredicate {
  if (req === "") throw new SelectorError(`empty requirement in selector "${selector}"`);
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(req);
  if (set) {
    const key = checkKey(set[1]!, selector);
    const values = new Set(
      set[3]!
        .split(",")
        .map((v) => v.trim())
        .map((v) => checkValue(v, selector)),
    );
    return set[2] === "in"
      ? (l) => l[key] !== undefined && values.has(l[key])
      : (l) => !values.has(l[key] ?? "\0");
  }
  const cmp = /^([^!=<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(req);
  if (cmp) {
    const key = checkKey(cmp[1]!, selector);
    const op = cmp[2];
    const value = cmp[3]!.trim();
    if (op === ">" || op === "<") {
      if (!/^-?\d+$/.test(value))
        throw new SelectorError(`"${op}" needs an integer in selector "${selector}"`);
      const bound = Number(value);
      return (l) => {
        const v = l[key];
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        return op === ">" ? Number(v) > bound : Number(v) < bound;
      };
    }
    checkValue(value, selector);
    return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (req.startsWith("!")) {
    const key = checkKey(req.slice(1).trim(), selector);
    return (l) => l[key] === undefined;
  }
  const key = checkKey(req, selector);
  return (l) => l[key] !== undefined;
}

export function compileLabelSelector(selector: string): LabelPredicate {
  const text = selector.trim();
  if (text === "") return () => true;
  const reqs = splitRequirements(text).map((r) => compileLabelRequirement(r, text));
  return (labels) => reqs.every((r) => r(labels));
}

/**
 * The `key=value` requirements of a valid label selector: an index can answer those before the
 * predicate checks the rest.
 */
export function labelEqualities(selector: string): [key: string, value: string][] {
  const text = selector.trim();
  if (text === "") return [];
  const out: [string, string][] = [];
  for (const req of splitRequirements(text)) {
    const m = /^([^!=<>\s]+)\s*==?\s*([^=]*)$/.exec(req);
    if (m) out.push([m[1]!, m[2]!.trim()]);
  }
  return out;
}

/** Splits a field selector on unescaped commas and unescapes `\,`, `\=` and `\\` in values. */
export function compileFieldSelector(selector: string): { fields: string[]; matches: FieldPredicate } {
  const text = selector.trim();
  if (text === "") return { fields: [], matches: () => true };
  const reqs: { field: string; negate: boolean; value: string }[] = [];
  for (const raw of text.split(/(?<!\\),/)) {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*(==|=|!=)(.*)$/.exec(raw);
    if (!m) throw new SelectorError(`invalid field selector requirement "${raw}"`);
    const value = m[3]!.replace(/\\([,=\\])/g, "$1");
    reqs.push({ field: m[1]!, negate: m[2] === "!=", value });
  }
  return {
    fields: reqs.map((r) => r.field),
    matches: (read) => reqs.every((r) => (read(r.field) === r.value) !== r.negate),
  };
}
