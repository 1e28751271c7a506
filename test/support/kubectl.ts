// kubectl as the end-to-end tests run it: the real binary, pointed at one kubeconfig, with a fresh
// discovery cache per call so that no earlier run's cache answers for the server under test.
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

/** `kubectl --kubeconfig <kubeconfig> <args>`; resolves to its stdout, rejects when it fails. */
export async function kubectlWith(kubeconfig: string, ...args: string[]): Promise<string> {
  const base = ["--kubeconfig", kubeconfig, "--cache-dir", tempDir("kubectl-cache-")];
  return (await run("kubectl", [...base, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}
