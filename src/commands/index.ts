// What each CLI command does; src/cli.ts parses the command line and calls these.
export { runServe } from "./serve.js";
export { runSim, type SimFlags } from "./sim.js";
export { runSnapshot, type SnapshotFlags } from "./snapshot.js";
