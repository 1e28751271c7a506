import { writeFileSync } from "node:fs";
import { startSimulator } from "../sim/index.js";
import { untilSignal } from "./signals.js";

export interface SimFlags {
  host: string;
  port: string;
  scenario: string;
  seed: string;
  churn: string;
  kubeconfigOut?: string;
}

function integer(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: "${value}" must be a number ≥ ${min}`);
  return n;
}

/** `meshsync sim`: the Kubernetes API simulator on its own, until SIGINT/SIGTERM. */
export async function runSim(flags: SimFlags): Promise<void> {
  const sim = await startSimulator({
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
