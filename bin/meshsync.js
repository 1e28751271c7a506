#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that `npx meshsync` works in a checkout with no build step.
// The container image runs the compiled dist/cli.js directly instead.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

register();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await import(pathToFileURL(join(root, "src", "cli.ts")).href);
