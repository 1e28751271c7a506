import { writeFileSync } from "node:fs";
import { ConfigError } from "../config/index.js";
import { type Fault, loadSimulator } from "./load-simulator.js";
import { untilSignal } from "./signals.js";

export interface SimFlags {
  host: string;
  port: string;
  scenario: string;
  seed: string;
  churn: string;
  kubeconfigOut?: string;
  /** JSON faults (one object or an array each), in force from the start; see packages/sim/src/faults.ts. */
  fault?: string[];
}

function integer(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new ConfigError(`--${name}: "${value}" must be a number ≥ ${min}`);
  return n;
}

function faultsFrom(texts: string[] | undefined, parseFaults: (value: unknown) => Fault[]): Fault[] {
  return (texts ?? []).flatMap((text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(`--fault: not JSON: ${text}`);
    }
    try {
      return parseFaults(parsed);
    } catch (error) {
      throw new ConfigError(`--fault ${text}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** `meshsync sim`: the Kubernetes API simulator on its own, until SIGINT/SIGTERM. */
export async function runSim(flags: SimFlags): Promise<void> {
  const { parseFaults, startSimulator } = await loadSimulator();
  const faults = faultsFrom(flags.fault, parseFaults);
  const sim = await startSimulator({
    faults,
    host: flags.host,
    port: integer(flags.port, "port", 0),
    scenario: flags.scenario,
    seed: integer(flags.seed, "seed", 0),
    churn: integer(flags.churn, "churn", 0),
  });
  process.stdout.write(
    `meshsync sim listening on ${sim.url} (scenario ${flags.scenario}, seed ${flags.seed})\n`,
  );
  if (flags.kubeconfigOut) {
    writeFileSync(flags.kubeconfigOut, sim.kubeconfig(), { mode: 0o600 });
    process.stdout.write(`kubeconfig written to ${flags.kubeconfigOut}\n`);
  }
  await untilSignal();
  await sim.close();
}
