// Whether the compiled dist/ may stand in for the TypeScript sources. `npm run build` touches a file
// as it begins and, once every package and the product have compiled, renames it to the stamp (a
// rename keeps the time): the stamp's modification time is the moment the last complete build
// began, and the build is current when no source file or folder has changed since. Folders count
// because adding, removing or renaming a file changes its folder's time, not the files'. A stat walk
// over a few hundred entries costs a few milliseconds, far less than compiling them.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Relative to the checkout's root; package.json's build script writes it under this name. */
export const buildStamp = join("dist", ".build-stamp");

/** What a build compiles: the product's src/ and each workspace package that builds a dist/ of its own. */
function sourceRoots(root) {
  const roots = [join(root, "src"), join(root, "tsconfig.json"), join(root, "tsconfig.build.json")];
  const packages = join(root, "packages");
  for (const name of safeReaddir(packages)) {
    const config = join(packages, name, "tsconfig.build.json");
    if (mtimeOf(config) === undefined) continue;
    roots.push(join(packages, name, "src"), config);
  }
  return roots;
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** True at the first entry under `path` (itself included) modified after `time`. */
function changedSince(path, time) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return false;
  }
  if (stats.mtimeMs > time) return true;
  if (!stats.isDirectory()) return false;
  return readdirSync(path).some((name) => changedSince(join(path, name), time));
}

/**
 * "current": dist/ was built from the sources as they are; "stale": a source changed since the last
 * build, or there is no build; "no-sources": an install that ships dist/ alone.
 */
export function compiledState(root) {
  if (mtimeOf(join(root, "src", "cli.ts")) === undefined) return "no-sources";
  const built = mtimeOf(join(root, buildStamp));
  if (built === undefined || mtimeOf(join(root, "dist", "cli.js")) === undefined) return "stale";
  return sourceRoots(root).some((path) => changedSince(path, built)) ? "stale" : "current";
}
