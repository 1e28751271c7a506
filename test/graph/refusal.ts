import { expect } from "vitest";
import { FilterError, type ResourceFilter, type ResourceGraph } from "../../src/graph/index.js";

/** The message the graph refuses a filter with; fails the test when the filter is accepted. */
export function refusal(graph: ResourceGraph, filter: ResourceFilter): string {
  try {
    graph.list(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(FilterError);
    return (error as Error).message;
  }
  throw new Error(`the filter ${JSON.stringify(filter)} was not refused`);
}
