import { writeFileSync } from "node:fs";
import { ConfigError, checkText, settingTypes } from "../config/index.js";
import { type Fault, loadSimulator } from "./load-simulator.js";
import { untilSignal } from "./signals.js";

/** Flags as commander hands them over (text, with the defaults cli.ts gives). */
export interface SimFlags {
  host: unknown;
  port: unknown;
  scenario: unknown;
  seed: unknown;
  churn: unknown;
  kubeconfigOut?: unknown;
  /** JSON faults (one object or an array each), in force from the start; see packages/sim/src/faults.ts. */
  fault?: unknown;
}

const { bindHost, nonNegativeInteger, nonNegativeNumber, port, text } = settingTypes;

/** The most of one --fault value read: a fault is a small object, a few of them an array. */
const maxFaultChars = 64 * 1024;

function faultsFrom(texts: unknown, parseFaults: (value: unknown) => Fault[]): Fault[] {
  const list = texts === undefined ? [] : Array.isArray(texts) ? texts : [texts];
  return list.flatMap((value) => {
    const json = checkText(text, value, "--fault");
    if (json.length > maxFaultChars)
      throw new ConfigError(`--fault: longer than ${maxFaultChars} characters`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new ConfigError(`--fault: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    try {
      return parseFaults(parsed);
    } catch (error) {
      throw new ConfigError(`--fault: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** `meshsync sim`: the Kubernetes API simulator on its own, until SIGINT/SIGTERM. */
export async function runSim(flags: SimFlags): Promise<void> {
  // The flags are checked before the simulator package is loaded; --fault after, as only it knows faults.
  const options = {
    host: checkText(bindHost, flags.host, "--host"),
    port: checkText(port, flags.port, "--port"),
    scenario: checkText(text, flags.scenario, "--scenario"),
    seed: checkText(nonNegativeInteger(2 ** 31 - 1), flags.seed, "--seed"),
    churn: checkText(nonNegativeNumber(100_000), flags.churn, "--churn"),
  };
  const kubeconfigOut =
    flags.kubeconfigOut === undefined ? undefined : checkText(text, flags.kubeconfigOut, "--kubeconfig-out");
  const { parseFaults, ScenarioError, startSimulator } = await loadSimulator();
  const faults = faultsFrom(flags.fault, parseFaults);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ ...options, faults });
  } catch (error) {
    if (error instanceof ScenarioError) throw new ConfigError(`--scenario: ${error.message}`);
    throw error;
  }
  process.stdout.write(
    `meshsync sim listening on ${sim.url} (scenario ${options.scenario}, seed ${options.seed})\n`,
  );
  if (kubeconfigOut !== undefined) {
    writeFileSync(kubeconfigOut, sim.kubeconfig(), { mode: 0o600 });
    process.stdout.write(`kubeconfig written to ${kubeconfigOut}\n`);
  }
  await untilSignal();
  await sim.close();
}
