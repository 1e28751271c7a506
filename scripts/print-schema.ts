// Writes the SDL the code builds to schema/schema.graphql (sorted), the file clients and codegen read.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printSortedSchema } from "../src/api/index.js";

const target = fileURLToPath(new URL("../schema/schema.graphql", import.meta.url));
writeFileSync(target, printSortedSchema());
process.stdout.write(`wrote ${target}\n`);
