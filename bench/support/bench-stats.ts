// What benchmarks summarise repeated runs with, and the record of the machine they ran on, so that
// figures from different days and machines can be told apart.
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/** The median of several runs, with the least and the most of them. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median, min and max of the values; undefined when there are none. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = (sorted[Math.ceil(middle) - 1]! + sorted[Math.floor(middle)]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** The value below which `fraction` of the values lie (nearest rank); NaN when there are none. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1]!;
}

/** Rounded to `digits` decimals. */
export function rounded(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `median (min–max)`, each shown by `show`; "–" for no runs. */
export function formatSpread(
  value: Spread | undefined,
  show: (n: number) => string = (n) => String(rounded(n)),
): string {
  if (value === undefined) return "–";
  if (value.min === value.max) return show(value.median);
  return `${show(value.median)} (${show(value.min)}–${show(value.max)})`;
}

/**
 * mine / theirs, to two decimals, or two significant digits below 0.1 so that a small ratio does not
 * read as none; undefined when either is missing or theirs is not positive.
 */
export function ratio(mine: number | undefined, theirs: number | undefined): number | undefined {
  if (mine === undefined || theirs === undefined || !(theirs > 0)) return undefined;
  const value = mine / theirs;
  return Math.abs(value) < 0.1 ? Number(value.toPrecision(2)) : rounded(value, 2);
}

export interface MachineRecord {
  cpuModel: string;
  cores: number;
  totalMemoryMB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the benchmark started. */
  loadAverage: number[];
  /** `git rev-parse --short HEAD`, with " dirty" when the work tree has changes. */
  commit: string;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The machine and the tree a benchmark runs on; call it at the start, for the load average then. */
export function machineRecord(repositoryRoot: string): MachineRecord {
  const head = git(repositoryRoot, ["rev-parse", "--short", "HEAD"]);
  const changes = git(repositoryRoot, ["status", "--porcelain"]);
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    totalMemoryMB: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    loadAverage: loadavg().map((load) => rounded(load, 2)),
    commit: head === undefined ? "unknown" : changes ? `${head} dirty` : head,
  };
}

/** The machine on one Markdown line. */
export function machineLine(machine: MachineRecord): string {
  return `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMB} MB, Node ${machine.node}, load average ${machine.loadAverage.join(" / ")} at start, commit ${machine.commit}.`;
}
