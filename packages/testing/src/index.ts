// Test and benchmark helpers every package of the workspace shares; never part of what ships.
export { eventually } from "./eventually.js";
export { heapUsed, mb } from "./heap.js";
