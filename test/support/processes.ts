import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { eventually } from "@meshsync/testing";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "meshsync.js");

export interface RunningProcess {
  /** Scheme, host and port from the first stdout line, e.g. http://127.0.0.1:40671 */
  readonly origin: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** `meshsync <args>` as a child process, with no kubeconfig and a home of its own unless `env` says otherwise. */
function spawnMeshsync(args: string[], env: NodeJS.ProcessEnv, cwd = root): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, KUBECONFIG: "", HOME: mkdtempSync(join(tmpdir(), "meshsync-home-")), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface FinishedProcess {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `meshsync <args>` to its end, for commands that must stop by themselves (a mistake, a snapshot). */
export function runMeshsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
  cwd?: string,
): Promise<FinishedProcess> {
  const child = spawnMeshsync(args, env, cwd);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`meshsync ${args.join(" ")} kept running:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Starts `meshsync <args>` as a real process and resolves once its first stdout line names the
 * address it listens on, as the CLI contract promises.
 */
export function startMeshsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 45_000,
): Promise<RunningProcess> {
  const child = spawnMeshsync(args, env);
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(
          `meshsync ${args.join(" ")} did not say where it listens within ${timeoutMs} ms:\n${output}`,
        ),
      );
    }, timeoutMs);
    let first = true;
    lines.on("line", (line) => {
      output += `${line}\n`;
      if (!first) return;
      first = false;
      clearTimeout(timer);
      const match = /listening on (http:\/\/[^\s/]+)/.exec(line);
      if (!match) {
        void stop();
        reject(new Error(`first stdout line does not say where it listens: ${line}`));
        return;
      }
      resolve({ origin: match[1]!, child, output: () => output, stop });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (first)
        reject(
          new Error(`meshsync ${args.join(" ")} exited (${code ?? signal}) before listening:\n${output}`),
        );
    });
  });
}

/** The process's JSON log lines with this message, in order. */
export function logLines(process: RunningProcess, message: string): Record<string, unknown>[] {
  return process
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === message);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface SimAndServe {
  sim: RunningProcess;
  serve: RunningProcess;
  /** The kubeconfig the simulator wrote and serve reads. */
  kubeconfig: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/**
 * `meshsync sim` and `meshsync serve` against it, as real processes, resolved once serve is ready:
 * what most end-to-end tests start from.
 */
export async function startSimAndServe(
  simArgs: string[] = [],
  serveArgs: string[] = [],
  serveEnv: NodeJS.ProcessEnv = {},
): Promise<SimAndServe> {
  const kubeconfig = join(tempDir("meshsync-e2e-"), "sim.kubeconfig");
  const sim = await startMeshsync(["sim", "--port", "0", "--kubeconfig-out", kubeconfig, ...simArgs]);
  try {
    await eventually(async () => sim.output().includes("kubeconfig written"), 10_000, "kubeconfig written");
    const serve = await startMeshsync(
      ["serve", "--port", "0", "--kubeconfig", kubeconfig, ...serveArgs],
      serveEnv,
    );
    const stop = async () => {
      await serve.stop();
      await sim.stop();
    };
    try {
      await eventually(
        async () => (await fetch(`${serve.origin}/readyz`)).status === 200,
        30_000,
        "serve ready",
      );
    } catch (error) {
      await stop();
      throw error;
    }
    return { sim, serve, kubeconfig, graphqlUrl: `${serve.origin}/graphql`, stop };
  } catch (error) {
    await sim.stop();
    throw error;
  }
}
