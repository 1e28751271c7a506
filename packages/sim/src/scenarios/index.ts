// Generated clusters for the simulator: by name and seed, or read from a file of objects.
import type { KubeObject } from "../object-api.js";
import { generateFromSpec } from "./build/index.js";
import { generateWithCrds } from "./crds.js";
import { demoSpec } from "./demo.js";
import { isFileScenario, loadScenarioFile } from "./file.js";
import { ScenarioError } from "./scenario-error.js";
import { sizedSpec, sizes } from "./sizes.js";

export { isFileScenario } from "./file.js";
export { ScenarioError } from "./scenario-error.js";
export { type SizeTarget, sizes } from "./sizes.js";
export { formatTime, LiveStamp, type Stamp } from "./stamp.js";

const generators: Record<string, (seed: number) => KubeObject[]> = {
  // Nothing at all: the server adds only the namespaces it creates itself.
  empty: () => [],
  demo: (seed) => generateFromSpec(seed, demoSpec),
  // demo plus cert-manager's and the Prometheus operator's CRDs and resources.
  crds: generateWithCrds,
  small: (seed) => generateFromSpec(seed, (builder) => sizedSpec(builder, sizes.small)),
  modest: (seed) => generateFromSpec(seed, (builder) => sizedSpec(builder, sizes.modest)),
  medium: (seed) => generateFromSpec(seed, (builder) => sizedSpec(builder, sizes.medium)),
  large: (seed) => generateFromSpec(seed, (builder) => sizedSpec(builder, sizes.large)),
  scale: (seed) => generateFromSpec(seed, (builder) => sizedSpec(builder, sizes.scale)),
};

/** The built-in scenarios: empty, demo (hand-shaped), crds (demo with operators' CRDs), then generated clusters of growing size. */
export const scenarioNames: readonly string[] = Object.keys(generators);

/**
 * The objects of a scenario, in creation order, each its own tree (the caller may mutate them).
 * `name` is a built-in scenario, `file:<path>`, or a path ending in .yaml, .yml or .json.
 * The same name and seed always give the same objects, uids included.
 */
export function generateScenario(name: string, seed: number): KubeObject[] {
  if (isFileScenario(name)) return loadScenarioFile(name, seed);
  const generate = generators[name];
  if (!generate) {
    throw new ScenarioError(
      `unknown scenario "${name}": use one of ${scenarioNames.join(", ")}, or a .yaml/.json file`,
    );
  }
  return generate(seed);
}
