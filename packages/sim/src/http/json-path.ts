// The JSONPath subset CRD additionalPrinterColumns use, evaluated as client-go's jsonpath package
// does for the server's table printer: fields (dotted, with "\." escapes, or ['quoted']), indexes
// (negative from the end), [*] wildcards, and filters [?(@.path == "value")] with == and !=, or
// [?(@.path)] for presence. An expression that does not parse finds nothing.
import { isPlainObject } from "../store/object-meta.js";

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: Step[]; op: "==" | "!=" | "exists"; literal: unknown };

export type CompiledPath = (root: unknown) => unknown[];

/** Compiles a jsonPath once; the result lists every value it finds, in document order. */
export function compileJsonPath(expression: string): CompiledPath {
  let steps: Step[];
  try {
    steps = parsePath(expression.trim().replace(/^\{(.*)\}$/, "$1"));
  } catch {
    return () => [];
  }
  return (root) => evaluate(steps, [root]);
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  let current = start;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) collect(step, value, next);
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

function collect(step: Step, value: unknown, into: unknown[]): void {
  switch (step.kind) {
    case "field":
      if (isPlainObject(value) && value[step.name] !== undefined) into.push(value[step.name]);
      return;
    case "index": {
      if (!Array.isArray(value)) return;
      const index = step.index < 0 ? value.length + step.index : step.index;
      if (index >= 0 && index < value.length) into.push(value[index]);
      return;
    }
    case "all":
      if (Array.isArray(value)) into.push(...value);
      else if (isPlainObject(value)) into.push(...Object.values(value));
      return;
    case "filter": {
      const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
      for (const item of items) if (matches(step, item)) into.push(item);
      return;
    }
  }
}

function matches(step: Extract<Step, { kind: "filter" }>, item: unknown): boolean {
  const found = evaluate(step.path, [item]);
  if (step.op === "exists") return found.length > 0;
  const equal = found.some((value) => sameScalar(value, step.literal));
  return step.op === "==" ? equal : found.length > 0 && !equal;
}

function sameScalar(value: unknown, literal: unknown): boolean {
  if (typeof literal === "number") return typeof value === "number" && value === literal;
  return value === literal || (typeof value !== "object" && String(value) === literal);
}

// ---- parsing ----

function parsePath(text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (text.startsWith("$")) i = 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ".") {
      i++;
      if (text[i] === ".") throw new Error("recursive descent is not supported");
      if (text[i] === "*") {
        steps.push({ kind: "all" });
        i++;
        continue;
      }
      const [name, end] = readName(text, i);
      if (name !== "") steps.push({ kind: "field", name });
      i = end;
    } else if (ch === "[") {
      const [step, end] = readBracket(text, i);
      steps.push(step);
      i = end;
    } else if (i === 0 || (steps.length === 0 && /[A-Za-z_]/.test(ch))) {
      // A leading field without its dot, as some columns are written.
      const [name, end] = readName(text, i);
      steps.push({ kind: "field", name });
      i = end;
    } else {
      throw new Error(`unexpected ${ch}`);
    }
  }
  return steps;
}

/** A dotted field name, up to the next unescaped "." or "[". */
function readName(text: string, start: number): [string, number] {
  let name = "";
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      name += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "." || ch === "[") break;
    name += ch;
    i++;
  }
  return [name, i];
}

function readBracket(text: string, start: number): [Step, number] {
  const close = closingBracket(text, start);
  const inner = text.slice(start + 1, close).trim();
  const end = close + 1;
  if (inner === "*") return [{ kind: "all" }, end];
  if (/^-?\d+$/.test(inner)) return [{ kind: "index", index: Number(inner) }, end];
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return [{ kind: "field", name: quoted[2]! }, end];
  const filter = /^\?\((.*)\)$/.exec(inner);
  if (filter) return [parseFilter(filter[1]!.trim()), end];
  throw new Error(`unsupported [${inner}]`);
}

function closingBracket(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[") depth++;
    else if (ch === "]" && --depth === 0) return i;
  }
  throw new Error("unclosed [");
}

function parseFilter(expression: string): Step {
  const match = /^@((?:\.[^=!\s]+|\[[^\]]*\])*)\s*(?:(==|!=)\s*(.+))?$/.exec(expression);
  if (!match) throw new Error(`unsupported filter ${expression}`);
  const path = parsePath(match[1] ?? "");
  if (!match[2]) return { kind: "filter", path, op: "exists", literal: undefined };
  return { kind: "filter", path, op: match[2] as "==" | "!=", literal: parseLiteral(match[3]!.trim()) };
}

function parseLiteral(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return quoted[2];
  if (text === "true" || text === "false") return text;
  const number = Number(text);
  if (text !== "" && !Number.isNaN(number)) return number;
  throw new Error(`unsupported literal ${text}`);
}
