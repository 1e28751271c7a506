// `npm run build`: compiles each workspace package to its dist/ (the simulator's needs the shared
// Kubernetes package's), then the product to dist/, then stamps the build with the time it began, which
// is what bin/meshsync.js compares the sources against: a file saved while the build ran counts as
// newer than it. `npm ci` runs this with --if-possible (the "prepare" script), which skips, saying so,
// an install that has no sources or no TypeScript compiler to build them with: an image's
// production-only install, say. (An install that has only package.json, as an image's dependency
// layer does, has not even this file; the prepare script then skips it itself.)
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildStamp } from "../bin/freshness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function compiler() {
  try {
    return createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    return undefined;
  }
}

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const tsc = compiler();
if (process.argv.includes("--if-possible")) {
  const missing = !existsSync(join(root, "src", "cli.ts"))
    ? "no sources"
    : tsc === undefined
      ? "no TypeScript compiler (dev dependencies left out)"
      : undefined;
  if (missing !== undefined) {
    process.stdout.write(`meshsync: not building dist/: ${missing}\n`);
    process.exit(0);
  }
}
if (tsc === undefined) {
  process.stderr.write("meshsync: cannot build: the typescript package is not installed\n");
  process.exit(1);
}

const began = new Date();
// npm runs each workspace's own build script, in the order package.json lists the workspaces: the
// npm that runs this script (npm_execpath), or else the one on PATH.
const workspaces = ["run", "build", "--workspaces", "--if-present"];
const npm = process.env.npm_execpath;
if (npm?.endsWith(".js")) run(process.execPath, [npm, ...workspaces]);
else run("npm", workspaces);
run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);

const stamp = join(root, buildStamp);
mkdirSync(dirname(stamp), { recursive: true });
closeSync(openSync(stamp, "w"));
utimesSync(stamp, began, began);
