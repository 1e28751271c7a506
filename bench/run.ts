// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) in its own Node
// process with --expose-gc, so one benchmark's heap never colours another's figures. Each benchmark
// prints its figures and writes them to bench/results/<name>.json.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
// Names choose benchmarks; flags (--full) go to each of them.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("--"));
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const result = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", join(benchDir, file), ...flags],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${file} failed (${result.status ?? result.signal})\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
