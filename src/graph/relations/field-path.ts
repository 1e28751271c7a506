/**
 * Paths into an object, as relation rules name them: `spec.volumes[].configMap.name` reads the name
 * of every volume's ConfigMap; `[]` steps into every element of a list, `["a.b/c"]` reads a map key
 * that has dots or slashes (`metadata.labels["kubernetes.io/service-name"]`).
 */
export type FieldPath = readonly PathStep[];

type PathStep = { readonly key: string } | { readonly each: true };

export class FieldPathError extends Error {
  override name = "FieldPathError";
}

/** At most this many characters and steps: rules come from a config file too. */
const maxPathLength = 512;
const maxSteps = 32;

export function parseFieldPath(text: string): FieldPath {
  if (text.length === 0 || text.length > maxPathLength)
    throw new FieldPathError(`a field path has 1 to ${maxPathLength} characters`);
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new FieldPathError(`field path ${JSON.stringify(text)}: ${why} at character ${i + 1}`);
  };
  while (i < text.length) {
    if (text.startsWith("[]", i)) {
      steps.push({ each: true });
      i += 2;
    } else if (text.startsWith('["', i)) {
      const close = text.indexOf('"]', i + 2);
      if (close < 0) fail('a ["key"] is not closed');
      steps.push({ key: text.slice(i + 2, close) });
      i = close + 2;
    } else {
      let end = i;
      while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
      if (end === i) fail("a step is empty");
      steps.push({ key: text.slice(i, end) });
      i = end;
    }
    if (i < text.length) {
      if (text[i] === ".") {
        i++;
        if (i === text.length) fail("the path ends with '.'");
      } else if (text[i] !== "[") fail("expected '.' or '['");
    }
    if (steps.length > maxSteps) fail(`more than ${maxSteps} steps`);
  }
  return steps;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Every value the path reaches in `value`; none where a step finds nothing or the wrong shape. */
export function readPath(value: unknown, path: FieldPath, from = 0, out: unknown[] = []): unknown[] {
  if (from === path.length) {
    if (value !== undefined && value !== null) out.push(value);
    return out;
  }
  const step = path[from]!;
  if ("each" in step) {
    if (Array.isArray(value)) for (const element of value) readPath(element, path, from + 1, out);
  } else if (isRecord(value) && Object.hasOwn(value, step.key)) {
    readPath(value[step.key], path, from + 1, out);
  }
  return out;
}

/** One string the path reaches from `value`, or undefined (absent, empty, or not a string). */
export function readString(value: unknown, path: FieldPath | undefined): string | undefined {
  if (path === undefined) return undefined;
  const found = readPath(value, path)[0];
  return typeof found === "string" && found !== "" ? found : undefined;
}
