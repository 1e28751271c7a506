// Test helpers every package of the workspace shares; never part of what ships. Benchmarks take
// theirs from "@meshsync/testing/heap", which does not load vitest.
export { eventually } from "./eventually.js";
export { countTurns } from "./turns.js";
