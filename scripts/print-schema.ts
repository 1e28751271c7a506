// Writes the SDL the code builds (sorted), the files clients and codegen read: schema/schema.graphql
// for meshsync's own API, schema/meshery.graphql for the one older Meshery versions use.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printSortedMesherySchema, printSortedSchema } from "../src/api/index.js";

for (const [file, print] of [
  ["schema.graphql", printSortedSchema],
  ["meshery.graphql", printSortedMesherySchema],
] as const) {
  const target = fileURLToPath(new URL(`../schema/${file}`, import.meta.url));
  writeFileSync(target, print());
  process.stdout.write(`wrote ${target}\n`);
}
