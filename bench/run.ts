// `npm run bench`: runs every bench/*.bench.ts and packages/*/bench/*.bench.ts (or those named on the
// command line) in its own Node process with --expose-gc, so one benchmark's heap never colours another's
// figures. Each benchmark prints its figures and writes them to the results/ folder beside it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const benchDirs = [
  join(root, "bench"),
  ...readdirSync(join(root, "packages")).map((name) => join(root, "packages", name, "bench")),
].filter((dir) => existsSync(dir));
// Names choose benchmarks; flags (--full) go to each of them.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("--"));
const files = benchDirs
  .flatMap((dir) => readdirSync(dir).map((file) => join(dir, file)))
  .filter((path) => path.endsWith(".bench.ts"))
  .filter((path) => wanted.length === 0 || wanted.some((w) => path.includes(w)))
  .sort();

let failed = 0;
for (const path of files) {
  const name = path.slice(root.length + 1);
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(
    process.execPath,
    [
      "--expose-gc",
      "--max-old-space-size=8192",
      "--conditions=@meshsync/source",
      "--import",
      "tsx",
      path,
      ...flags,
    ],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${name} failed (${result.status ?? result.signal})\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
