/**
 * How the server's cost rule weighs a field, declared beside the field as `extensions: costOf(…)`.
 * The rule (src/server/query-cost.ts) adds, for every selected field, its weight, what its filter's
 * scan costs, and its sub-selection's cost times its size, so list sizes multiply down the tree.
 */
export interface FieldCost {
  /** What resolving the field once costs; 1 when absent. Heavy fields (whole objects) weigh more. */
  weight?: number;
  /**
   * How many times the sub-selection is resolved: a page-size argument's value (the server's default
   * page size when the argument is absent; with `orPageArgument`, the page size of whichever of the two
   * is given), or a typical length for a list no argument bounds.
   */
  size?: { pageArgument: string; orPageArgument?: string } | number;
  /**
   * A ResourceFilter argument and what it is evaluated against: every object of the graph the list
   * reads (as many as the graph's smallest index slice for the filter holds), or each change a
   * subscription is offered (its new state and its previous one).
   */
  scan?: { filterArgument: string; over: "graph" | "change" };
}

/** The extensions entry the cost rule reads. */
export const costExtensionKey = "cost";

export function costOf(cost: FieldCost): { [costExtensionKey]: FieldCost } {
  return { [costExtensionKey]: cost };
}
