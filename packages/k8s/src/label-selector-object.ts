// The label selectors objects carry, read as the API machinery reads them: a metav1.LabelSelector
// (matchLabels, matchExpressions) by metav1.LabelSelectorAsSelector, a plain map (a Service's
// spec.selector) by labels.SelectorFromSet.
import { type LabelRequirement, type LabelSelector, selectorOf } from "./label-selector.js";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const byKey = (a: LabelRequirement, b: LabelRequirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The equality requirements of a map; undefined when a value is not a string. */
function equalities(map: Record<string, unknown>): LabelRequirement[] | undefined {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") return undefined;
    requirements.push({ key, operator: "=", values: [value] });
  }
  return requirements;
}

const expressionOperators: Readonly<Record<string, LabelRequirement["operator"]>> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * A metav1.LabelSelector as LabelSelectorAsSelector reads it: absent selects nothing, `{}` everything.
 * One the API server would refuse (an unknown operator, In without values) selects nothing, as
 * LabelSelectorAsSelector's error leaves controllers selecting nothing.
 */
export function labelSelectorOfObject(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  const requirements: LabelRequirement[] = [];
  if (value.matchLabels !== undefined && value.matchLabels !== null) {
    if (!isRecord(value.matchLabels)) return undefined;
    const matched = equalities(value.matchLabels);
    if (matched === undefined) return undefined;
    requirements.push(...matched);
  }
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) {
    if (!Array.isArray(value.matchExpressions)) return undefined;
    for (const expression of value.matchExpressions as unknown[]) {
      if (!isRecord(expression) || typeof expression.key !== "string") return undefined;
      const operator = expressionOperators[String(expression.operator)];
      const values = Array.isArray(expression.values) ? (expression.values as unknown[]) : [];
      if (operator === undefined || !values.every((v) => typeof v === "string")) return undefined;
      const setBased = operator === "in" || operator === "notin";
      if (setBased !== values.length > 0) return undefined;
      requirements.push({ key: expression.key, operator, values: values as string[] });
    }
  }
  return selectorOf(requirements.sort(byKey));
}

/**
 * A plain label map as SelectorFromSet reads it. An empty or absent map selects nothing here: a
 * Service without a selector has its endpoints managed by hand, and none of the objects that carry
 * such maps means "everything" by `{}`.
 */
export function labelSelectorOfMap(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  const requirements = equalities(value);
  if (requirements === undefined || requirements.length === 0) return undefined;
  return selectorOf(requirements.sort(byKey));
}
