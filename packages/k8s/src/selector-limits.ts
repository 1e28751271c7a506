// The bounds every selector is held to, and the error a selector that breaks a rule gets.
//
// kube-apiserver has no requirement limit of its own: a selector is bounded by its request line, which
// Go's HTTP server caps at 1 MiB (MaxHeaderBytes), and it is evaluated in compiled Go. Here a selector
// also arrives inside a GraphQL document or its variables, and a filter is evaluated again on every
// change of every subscription, so the bounds are tighter and counted in requirements as well.
import { quoteExcerpt } from "./excerpt.js";

export interface SelectorLimits {
  /** Characters in one selector, checked before anything is parsed. */
  maxLength: number;
  /** Requirements (comma-separated terms) in one selector. */
  maxRequirements: number;
}

export const defaultSelectorLimits: Readonly<SelectorLimits> = Object.freeze({
  // The GraphQL document limit (64 KiB): a selector never has to be longer than a query can be.
  maxLength: 64 * 1024,
  // Far more than any selector a person or a controller writes; small enough that a filter costs
  // at most this many comparisons per object.
  maxRequirements: 100,
});

/** A selector that does not parse, or breaks a bound; its message quotes at most an excerpt of it. */
export class SelectorError extends Error {
  override name = "SelectorError";
}

export function checkLength(kind: "label" | "field", text: string, limits: SelectorLimits): void {
  if (text.length > limits.maxLength) {
    throw new SelectorError(
      `${kind} selector too long: ${text.length} characters, at most ${limits.maxLength}: ${quoteExcerpt(text)}`,
    );
  }
}

export function tooManyRequirements(kind: "label" | "field", limits: SelectorLimits): SelectorError {
  return new SelectorError(`${kind} selector has more than ${limits.maxRequirements} requirements`);
}

/**
 * What evaluating a compiled selector against one object costs: its requirements, plus the values of
 * its set requirements. A request's budget can count it once per object it filters.
 */
export function selectorCost(selector: { readonly cost: number }): number {
  return selector.cost;
}
