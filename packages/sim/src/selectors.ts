// A request's label and field selectors, parsed as the real server parses them (@meshsync/k8s holds
// the grammar, the bounds and each kind's selectable fields); a bad one is a 400 whose message
// quotes at most an excerpt of it.
import {
  compileFieldSelector,
  compileLabelSelector,
  type SelectableFields,
  SelectorError,
  selectableFields,
  unsupportedField,
} from "@meshsync/k8s";
import type { KubeObject } from "./object-api.js";
import { badRequest } from "./store/status-error.js";

export type Matcher = (obj: KubeObject) => boolean;

function asBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
}

/** Parses a label selector ("app=web,tier in (a,b),!legacy"); a bad one is a 400. */
export function parseLabelSelector(text: string): Matcher {
  const selector = asBadRequest(() => compileLabelSelector(text));
  return (obj) => selector.matches(obj.metadata?.labels ?? {});
}

/**
 * Parses a field selector for one kind; a field the kind does not support is a 400. `customFields`
 * are the selectableFields jsonPaths of a custom resource's CRD version.
 */
export function parseFieldSelector(
  text: string,
  group: string,
  kind: string,
  customFields: readonly string[] = [],
): Matcher {
  const fields: SelectableFields = selectableFields(group, kind, customFields);
  const selector = asBadRequest(() =>
    compileFieldSelector(text, (label) => {
      const field = fields.fieldOf(label);
      if (field === undefined) throw unsupportedField(label);
      return field;
    }),
  );
  return (obj) => selector.matches((field) => fields.read(obj, field));
}

/** Both selectors of a request combined; undefined when neither is given. */
export function selectorMatcher(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
  group: string,
  kind: string,
  customFields: readonly string[] = [],
): Matcher | undefined {
  const matchers: Matcher[] = [];
  if (labelSelector) matchers.push(parseLabelSelector(labelSelector));
  if (fieldSelector) matchers.push(parseFieldSelector(fieldSelector, group, kind, customFields));
  if (matchers.length === 0) return undefined;
  return (obj) => matchers.every((matcher) => matcher(obj));
}
