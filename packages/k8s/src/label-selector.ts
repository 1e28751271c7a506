// Label selectors as k8s.io/apimachinery/pkg/labels parses and matches them (labels.Parse): the same
// lexer, grammar, key and value rules and messages, in one linear pass, compiled once into a matcher.
import { dns1123SubdomainMaxLength, dns1123SubdomainPattern } from "./dns-names.js";
import { excerpt, quoteExcerpt } from "./excerpt.js";
import {
  checkLength,
  defaultSelectorLimits,
  SelectorError,
  type SelectorLimits,
  tooManyRequirements,
} from "./selector-limits.js";

export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** The value set; one value for =, ==, !=, gt and lt; none for exists and !. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  /** Sorted by key, as labels.Parse sorts them. */
  readonly requirements: readonly LabelRequirement[];
  /** Requirements plus values: what one evaluation of this selector costs, for a request's budget. */
  readonly cost: number;
  matches(labels: Labels): boolean;
}

enum Token {
  End,
  Identifier,
  In,
  NotIn,
  Open,
  Close,
  Comma,
  Not,
  Equals,
  DoubleEquals,
  NotEquals,
  Greater,
  Less,
}

const symbols: Readonly<Record<string, Token>> = {
  "(": Token.Open,
  ")": Token.Close,
  ",": Token.Comma,
  "!": Token.Not,
  "=": Token.Equals,
  "==": Token.DoubleEquals,
  "!=": Token.NotEquals,
  ">": Token.Greater,
  "<": Token.Less,
};

const isWhitespace = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSymbol = (c: string | undefined) =>
  c === "=" || c === "!" || c === "(" || c === ")" || c === "," || c === ">" || c === "<";

/** The lexer of labels.Parse: identifiers end at whitespace or an operator character. */
class Lexer {
  private pos = 0;
  private token: Token = Token.End;
  literal = "";

  constructor(private readonly text: string) {
    this.next();
  }

  next(): void {
    const text = this.text;
    while (isWhitespace(text[this.pos])) this.pos++;
    const start = this.pos;
    const c = text[start];
    if (c === undefined) {
      this.token = Token.End;
      this.literal = "";
    } else if (isSymbol(c)) {
      const two = text.slice(start, start + 2);
      const literal = two === "==" || two === "!=" ? two : c;
      this.pos += literal.length;
      this.token = symbols[literal]!;
      this.literal = literal;
    } else {
      while (this.pos < text.length && !isSymbol(text[this.pos]) && !isWhitespace(text[this.pos])) this.pos++;
      this.literal = text.slice(start, this.pos);
      this.token =
        this.literal === "in" ? Token.In : this.literal === "notin" ? Token.NotIn : Token.Identifier;
    }
  }

  /** The current token; a method, so that checks on it are not narrowed across next(). */
  peek(): Token {
    return this.token;
  }

  /** The current token where a value may stand: there `in` and `notin` are plain identifiers. */
  peekValue(): Token {
    return this.token === Token.In || this.token === Token.NotIn ? Token.Identifier : this.token;
  }
}

const found = (lexer: Lexer) => `'${excerpt(lexer.literal)}'`;

function fail(why: string): never {
  throw new SelectorError(`unable to parse requirement: ${why}`);
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedNameRule =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** What IsQualifiedName says of a key, or undefined when it is valid. */
function keyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2)
    return `a qualified name ${qualifiedNameRule}, with an optional DNS subdomain prefix and '/'`;
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === "") return "prefix part must be non-empty";
    if (prefix.length > dns1123SubdomainMaxLength) {
      return `prefix part must be no more than ${dns1123SubdomainMaxLength} characters`;
    }
    if (!dns1123SubdomainPattern.test(prefix)) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }
  }
  if (name === "") return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!qualifiedNamePart.test(name)) return `name part ${qualifiedNameRule}`;
  return undefined;
}

function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) fail(`key: Invalid value: ${quoteExcerpt(key)}: ${problem}`);
  return key;
}

function checkValue(key: string, value: string): string {
  if (value.length > 63)
    fail(`values[${key}]: Invalid value: ${quoteExcerpt(value)}: must be no more than 63 characters`);
  if (!labelValuePattern.test(value)) {
    fail(
      `values[${key}]: Invalid value: ${quoteExcerpt(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return value;
}

const int64 = /^[+-]?\d{1,19}$/;

/** strconv.ParseInt(value, 10, 64), as a BigInt; undefined where Go's would fail. */
function parseInt64(value: string): bigint | undefined {
  if (!int64.test(value)) return undefined;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function parseValueSet(lexer: Lexer): string[] {
  if (lexer.peek() !== Token.Open) fail(`found ${found(lexer)} expected: '('`);
  lexer.next();
  if (lexer.peekValue() === Token.Close) {
    lexer.next();
    return [""];
  }
  if (lexer.peekValue() !== Token.Identifier && lexer.peek() !== Token.Comma) {
    fail(`found ${found(lexer)}, expected: ',', ')' or identifier`);
  }
  const values = new Set<string>();
  // "(a,,b)", "(,a)" and "(a,)" hold the empty value too, as in labels.Parse.
  let expectValue = true;
  for (;;) {
    const token = lexer.peekValue();
    if (token === Token.Identifier && expectValue) {
      values.add(lexer.literal);
      expectValue = false;
    } else if (token === Token.Comma) {
      if (expectValue) values.add("");
      expectValue = true;
    } else if (token === Token.Close) {
      if (expectValue) values.add("");
      lexer.next();
      return [...values];
    } else {
      fail(`found ${found(lexer)}, expected: ',' or ')'`);
    }
    lexer.next();
  }
}

function parseRequirement(lexer: Lexer): LabelRequirement {
  let negated = false;
  if (lexer.peek() === Token.Not) {
    negated = true;
    lexer.next();
  }
  if (lexer.peekValue() !== Token.Identifier) fail(`found ${found(lexer)}, expected: identifier`);
  const key = checkKey(lexer.literal);
  lexer.next();
  if (negated || lexer.peek() === Token.End || lexer.peek() === Token.Comma) {
    return { key, operator: negated ? "!" : "exists", values: [] };
  }
  const operator = lexer.peek();
  const operatorLiteral = lexer.literal;
  lexer.next();
  switch (operator) {
    case Token.In:
    case Token.NotIn: {
      const values = parseValueSet(lexer).map((value) => checkValue(key, value));
      return { key, operator: operator === Token.In ? "in" : "notin", values };
    }
    case Token.Equals:
    case Token.DoubleEquals:
    case Token.NotEquals:
    case Token.Greater:
    case Token.Less: {
      let value = "";
      if (lexer.peek() !== Token.End && lexer.peek() !== Token.Comma) {
        if (lexer.peekValue() !== Token.Identifier) fail(`found ${found(lexer)}, expected: identifier`);
        value = lexer.literal;
        lexer.next();
      }
      checkValue(key, value);
      if (operator === Token.Greater || operator === Token.Less) {
        if (parseInt64(value) === undefined) {
          fail(
            `values[0]: Invalid value: ${quoteExcerpt(value)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
        return { key, operator: operator === Token.Greater ? "gt" : "lt", values: [value] };
      }
      const op = operator === Token.Equals ? "=" : operator === Token.DoubleEquals ? "==" : "!=";
      return { key, operator: op, values: [value] };
    }
    default:
      return fail(`found '${excerpt(operatorLiteral)}', expected: in, notin, =, ==, !=, gt, lt`);
  }
}

/** Parses a label selector; throws SelectorError, with at most an excerpt of the input, when it is invalid. */
export function parseLabelRequirements(
  text: string,
  limits: SelectorLimits = defaultSelectorLimits,
): LabelRequirement[] {
  checkLength("label", text, limits);
  const lexer = new Lexer(text);
  const requirements: LabelRequirement[] = [];
  while (lexer.peek() !== Token.End) {
    if (lexer.peekValue() !== Token.Identifier && lexer.peek() !== Token.Not) {
      throw new SelectorError(`found ${found(lexer)}, expected: !, identifier, or 'end of string'`);
    }
    if (requirements.length === limits.maxRequirements) throw tooManyRequirements("label", limits);
    requirements.push(parseRequirement(lexer));
    if (lexer.peek() === Token.Comma) {
      lexer.next();
      if (lexer.peekValue() !== Token.Identifier && lexer.peek() !== Token.Not) {
        throw new SelectorError(`found ${found(lexer)}, expected: identifier after ','`);
      }
    } else if (lexer.peek() !== Token.End) {
      throw new SelectorError(`found ${found(lexer)}, expected: ',' or 'end of string'`);
    }
  }
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

type LabelMatcher = (labels: Labels) => boolean;

function matcherOf({ key, operator, values }: LabelRequirement): LabelMatcher {
  const has = (labels: Labels) => Object.hasOwn(labels, key);
  switch (operator) {
    case "exists":
      return has;
    case "!":
      return (labels) => !has(labels);
    case "gt":
    case "lt": {
      const bound = parseInt64(values[0]!)!;
      return (labels) => {
        const value = has(labels) ? parseInt64(labels[key]!) : undefined;
        if (value === undefined) return false;
        return operator === "gt" ? value > bound : value < bound;
      };
    }
    default: {
      const set = new Set(values);
      const included = (labels: Labels) => has(labels) && set.has(labels[key]!);
      return operator === "notin" || operator === "!=" ? (labels) => !included(labels) : included;
    }
  }
}

/** Parses and compiles a label selector; the empty selector matches everything. */
export function compileLabelSelector(
  text: string,
  limits: SelectorLimits = defaultSelectorLimits,
): LabelSelector {
  return selectorOf(parseLabelRequirements(text, limits));
}

/** A selector of requirements already checked (sorted by key, as labels.Parse leaves them). */
export function selectorOf(requirements: readonly LabelRequirement[]): LabelSelector {
  const matchers = requirements.map(matcherOf);
  const cost = requirements.reduce((sum, r) => sum + 1 + r.values.length, 0);
  return {
    requirements,
    cost,
    matches: (labels) => {
      for (const matches of matchers) if (!matches(labels)) return false;
      return true;
    },
  };
}

/** The `key=value` (and `==`, and one-value `in`) requirements: an index can answer those first. */
export function labelEqualities(selector: LabelSelector): [key: string, value: string][] {
  return selector.requirements
    .filter(
      (r) => (r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1,
    )
    .map((r) => [r.key, r.values[0]!]);
}
