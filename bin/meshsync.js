#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that `npx meshsync` works in a checkout with no build step.
// The container image runs the compiled dist/cli.js directly instead.
import { register } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
register("./source-condition.js", import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await import(pathToFileURL(join(root, "src", "cli.ts")).href);
