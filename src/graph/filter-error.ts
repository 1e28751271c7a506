/** A filter the graph refuses: a selector that does not compile, or a name (kind, apiVersion, cluster) nothing has. */
export class FilterError extends Error {
  override name = "FilterError";
}
