/**
 * How the server's cost rule weighs a field, declared beside the field as `extensions: costOf(…)`.
 * The rule (src/server/query-cost.ts) adds, for every selected field, its weight, its selectors'
 * cost, and its sub-selection's cost times its size, so list sizes multiply down the tree.
 */
export interface FieldCost {
  /** What resolving the field once costs; 1 when absent. Heavy fields (whole objects) weigh more. */
  weight?: number;
  /**
   * How many times the sub-selection is resolved: a page-size argument's value (the server's default
   * page size when the argument is absent), or a typical length for a list no argument bounds.
   */
  size?: { pageArgument: string } | number;
  /** An argument holding a ResourceFilter, whose selectors cost by their requirement count. */
  filterArgument?: string;
}

/** The extensions entry the cost rule reads. */
export const costExtensionKey = "cost";

export function costOf(cost: FieldCost): { [costExtensionKey]: FieldCost } {
  return { [costExtensionKey]: cost };
}
