// meshkit's KubernetesResource keys in the order Go's encoder writes them (its struct's field order),
// and those its omitempty tags leave out when empty: what every test of the wire shape checks against.
export const kubernetesResourceKeys = [
  "id",
  "apiVersion",
  "kind",
  "model",
  "metadata",
  "spec",
  "status",
  "cluster_id",
  "pattern_resource",
  "component_metadata",
  "immutable",
  "data",
  "binaryData",
  "stringData",
  "type",
] as const;

export const omittedWhenEmpty: ReadonlySet<string> = new Set([
  "spec",
  "status",
  "immutable",
  "data",
  "binaryData",
  "stringData",
  "type",
]);
