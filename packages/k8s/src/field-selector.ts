// Field selectors as k8s.io/apimachinery/pkg/fields parses them (fields.ParseSelector): terms split on
// unescaped commas, each split at its first !=, == or =, the value unescaped (\, \= \\ only). Which
// fields a kind lets a selector use is selectable-fields.ts's business, not the parser's.
import { excerpt } from "./excerpt.js";
import {
  checkLength,
  defaultSelectorLimits,
  SelectorError,
  type SelectorLimits,
  tooManyRequirements,
} from "./selector-limits.js";

export interface FieldRequirement {
  /** The field label as written; the server does not trim it. */
  readonly field: string;
  readonly operator: "=" | "==" | "!=";
  /** Unescaped. */
  readonly value: string;
}

/** Reads one field of an object by its label; "" when the object has no value there. */
export type FieldReader = (field: string) => string;

export interface FieldSelector {
  /** Sorted, as fields.ParseSelector sorts its terms; each reads the field its label names (aliases resolved). */
  readonly requirements: readonly FieldRequirement[];
  /** The field labels as written, one per requirement, in the same order. */
  readonly labels: readonly string[];
  /** One per requirement: what one evaluation of this selector costs, for a request's budget. */
  readonly cost: number;
  matches(read: FieldReader): boolean;
}

/** Splits on commas that a backslash does not escape; the backslashes stay for unescapeValue. */
function splitTerms(text: string, limits: SelectorLimits): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
      if (terms.length > limits.maxRequirements) throw tooManyRequirements("field", limits);
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function splitTerm(
  term: string,
): [field: string, operator: FieldRequirement["operator"], value: string] | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === "!" && term[i + 1] === "=") return [term.slice(0, i), "!=", term.slice(i + 2)];
    if (c === "=") {
      return term[i + 1] === "="
        ? [term.slice(0, i), "==", term.slice(i + 2)]
        : [term.slice(0, i), "=", term.slice(i + 1)];
    }
  }
  return undefined;
}

function unescapeValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") {
      const next = value[i + 1];
      if (next !== "\\" && next !== "," && next !== "=") {
        throw new SelectorError(`invalid field selector: invalid escape sequence: ${c}${next ?? ""}`);
      }
      out += next;
      i++;
    } else if (c === "," || c === "=") {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Parses a field selector; throws SelectorError, with at most an excerpt of the input, when it is invalid. */
export function parseFieldRequirements(
  text: string,
  limits: SelectorLimits = defaultSelectorLimits,
): FieldRequirement[] {
  checkLength("field", text, limits);
  if (text === "") return [];
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text, limits).sort()) {
    if (term === "") continue;
    const split = splitTerm(term);
    if (!split)
      throw new SelectorError(`invalid selector: '${excerpt(text)}'; can't understand '${excerpt(term)}'`);
    const [field, operator, value] = split;
    requirements.push({ field, operator, value: unescapeValue(value) });
  }
  return requirements;
}

/**
 * Parses and compiles a field selector; the empty selector matches everything. `fieldOf` maps each
 * label to the field it reads (an alias such as a Pod's spec.host to spec.nodeName) and throws for
 * one the caller does not support.
 */
export function compileFieldSelector(
  text: string,
  fieldOf: (label: string) => string = (label) => label,
  limits: SelectorLimits = defaultSelectorLimits,
): FieldSelector {
  const written = parseFieldRequirements(text, limits);
  const requirements = written.map((r) => ({ ...r, field: fieldOf(r.field) }));
  return {
    requirements,
    labels: written.map((r) => r.field),
    cost: requirements.length,
    matches: (read) => {
      for (const { field, operator, value } of requirements) {
        if ((read(field) === value) === (operator === "!=")) return false;
      }
      return true;
    },
  };
}

/**
 * The error for a field label a kind does not let a selector use, in the real server's words, and
 * after them, when given, what would have been accepted (the server says nothing more; a filter over
 * many kinds is easier to correct when told).
 */
export function unsupportedField(label: string, accepted?: string): SelectorError {
  return new SelectorError(`field label not supported: ${excerpt(label)}${accepted ? `; ${accepted}` : ""}`);
}
