// How long `meshsync --help` and `meshsync --version` take, start to exit, as a user runs them through
// the bin: from the compiled dist/ (what a checkout runs after `npm ci`), and from the sources through
// tsx (what it runs after an edit, until the next build; forced with MESHSYNC_FROM_SOURCE=1). Also the
// bin's freshness check alone, the stat walk it pays on every start. Each command runs one at a time,
// a warm-up first, as hyperfine would.
// Run: npm run bench startup   (builds dist/ first when it is not current)
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compiledState } from "../bin/freshness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "meshsync.js");
const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 20);

if (compiledState(root) !== "current") {
  process.stdout.write("dist/ is not current; building it first\n");
  const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
}

interface Timing {
  runs: number;
  minMs: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    runs: sorted.length,
    minMs: round(sorted[0]!),
    medianMs: round(at(0.5)),
    p90Ms: round(at(0.9)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

function time(args: string[], env: NodeJS.ProcessEnv): Timing {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: "utf8" });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`meshsync ${args.join(" ")} failed: ${result.stderr}`);
    if (i > 0) samples.push(elapsed);
  }
  return summarize(samples);
}

function freshnessCheck(): Timing {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    compiledState(root);
    if (i > 0) samples.push(performance.now() - started);
  }
  return summarize(samples);
}

const compiled = { ...process.env, MESHSYNC_FROM_SOURCE: "" };
const source = { ...process.env, MESHSYNC_FROM_SOURCE: "1" };
const baseline = (() => {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, ["-e", ""]);
    if (i > 0) samples.push(performance.now() - started);
  }
  return summarize(samples);
})();

const result = {
  benchmark: "startup",
  node: process.version,
  nodeDoingNothing: { what: "node -e '' (the floor)", ...baseline },
  help: { what: "meshsync --help from dist/", ...time(["--help"], compiled) },
  version: { what: "meshsync --version from dist/", ...time(["--version"], compiled) },
  helpFromSource: { what: "meshsync --help from the sources through tsx", ...time(["--help"], source) },
  freshnessCheck: { what: "the bin's stat walk over the sources, in process", ...freshnessCheck() },
  measuredAt: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "startup.json"), `${JSON.stringify(result, null, 2)}\n`);
