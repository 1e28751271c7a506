// kubectl, the acceptance test of the simulator's fidelity, for the end-to-end tests that compare
// meshsync's view with kubectl's. Tests skip when it is not installed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tempDir } from "./processes.js";

const run = promisify(execFile);

export async function hasKubectl(): Promise<boolean> {
  try {
    await run("kubectl", ["version", "--client"]);
    return true;
  } catch {
    return false;
  }
}

/** kubectl with this kubeconfig and a cache of its own; its stdout. */
export async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const base = ["--kubeconfig", kubeconfig, "--cache-dir", tempDir("kubectl-cache-")];
  return (await run("kubectl", [...base, ...args])).stdout;
}
