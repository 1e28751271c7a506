/** A scenario that cannot be loaded as named: an unknown name, or a file that is missing or malformed. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}
