#!/usr/bin/env node
// Starts the CLI from the compiled dist/ when it was built from the sources as they are now (`npm ci`
// builds it), and from the TypeScript sources through tsx, in this same process, when a source changed
// since: an edit is never run stale, and a checkout that was just built starts without compiling
// anything. MESHSYNC_FROM_SOURCE=1 runs the sources whatever the build. The container image runs
// dist/cli.js directly.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiledState } from "./freshness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const state = compiledState(root);

if (state === "no-sources" || (state === "current" && process.env.MESHSYNC_FROM_SOURCE !== "1")) {
  await import(pathToFileURL(join(root, "dist", "cli.js")).href);
} else {
  await runSources();
}

async function runSources() {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write(
      "meshsync: dist/ is missing or older than the sources, and tsx is not installed to run them: " +
        "run `npm run build`, or `npm ci` in a checkout\n",
    );
    process.exit(1);
  }
  const { register } = await import("node:module");
  tsx.register();
  register("./source-condition.js", import.meta.url);
  await import(pathToFileURL(join(root, "src", "cli.ts")).href);
}
