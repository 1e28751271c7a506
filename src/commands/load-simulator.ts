// The product's one way to the simulator package: a dynamic import, made only when a command runs
// the simulator, so that a start against a real cluster never loads it. The import rule
// (.dependency-cruiser.cjs) lets no other module of src/ import @meshsync/sim, and this one only
// dynamically; its types are erased.
import type * as Simulator from "@meshsync/sim";

export type { Fault, RunningSimulator, SimulatorOptions } from "@meshsync/sim";

export function loadSimulator(): Promise<typeof Simulator> {
  return import("@meshsync/sim");
}
