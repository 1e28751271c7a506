import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { eventually } from "@meshsync/testing";
import { describe, expect, it } from "vitest";
import { runMeshsync as meshsync } from "./support/processes.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const scenarios = "empty, demo, crds, small, modest, medium, large, scale";

describe("the CLI answers a user's mistake with one line and status 2", () => {
  const configDir = mkdtempSync(join(tmpdir(), "meshsync-cli-"));
  const typo = join(configDir, "typo.yaml");
  writeFileSync(typo, "prot: 9000\n");

  it.each([
    [
      ["serve", "--token", " "],
      '--token: expected a token of visible ASCII characters, without spaces, got " "',
    ],
    [
      ["serve", "--log-level", "loud"],
      '--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [["serve", "--port", "http"], '--port: expected a port (an integer from 0 to 65535), got "http"'],
    [["serve", "--stall-timeout", "0"], '--stall-timeout: expected an integer from 1 to 86400, got "0"'],
    [
      ["serve", "--allowed-origin", "meshery.example"],
      '--allowed-origin: expected a list of origins such as https://meshery.example (scheme, host and optional port, no path), got "meshery.example"',
    ],
    [["serve", "--config", typo], `${typo}: unknown setting "prot" (did you mean "port"?)`],
    [["serve", "--prot", "9000"], "unknown option '--prot' (Did you mean --port?)"],
    [["serve", "--port"], "option '--port <port>' argument missing"],
    [["serve", "--log-format", "xml"], '--log-format: expected json or pretty, got "xml"'],
    [
      ["sim", "--scenario", "nosuch"],
      `--scenario: unknown scenario "nosuch": use one of ${scenarios}, or a .yaml/.json file`,
    ],
    [["sim", "--seed", "-1"], '--seed: expected an integer from 0 to 2147483647, got "-1"'],
    [["sim", "--churn", "fast"], '--churn: expected a number from 0 to 100000, got "fast"'],
    [["sim", "--fault", '{"action":"nosuch"}'], expect.stringMatching(/^--fault: /)],
  ])("meshsync %j", async (args, line) => {
    const exit = await meshsync(args as string[]);
    expect(exit.status).toBe(2);
    expect(exit.stdout).toBe("");
    expect(exit.stderr).toEqual(expect.stringMatching(/^meshsync: [^\n]*\n$/));
    expect(exit.stderr.slice("meshsync: ".length, -1)).toEqual(line);
  });

  it("names the environment variable a bad value came from", async () => {
    const exit = await meshsync(["serve"], { MESHSYNC_PORT: "80x" });
    expect(exit.status).toBe(2);
    expect(exit.stderr).toBe(
      'meshsync: MESHSYNC_PORT: expected a port (an integer from 0 to 65535), got "80x"\n',
    );
  });

  it("reports a missing scenario file in one line", async () => {
    const exit = await meshsync(["sim", "--scenario", join(configDir, "missing.yaml")]);
    expect(exit.status).toBe(2);
    expect(exit.stderr).toMatch(
      /^meshsync: --scenario: scenario file \S+missing\.yaml cannot be read: ENOENT[^\n]*\n$/,
    );
  });
});

describe("the CLI's own answers", () => {
  it("prints package.json's version for --version", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const exit = await meshsync(["--version"]);
    expect(exit).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("prints the usage and the commands for --help, and exits 0", async () => {
    const exit = await meshsync(["--help"]);
    expect(exit.status).toBe(0);
    expect(exit.stderr).toBe("");
    expect(exit.stdout).toMatch(/^Usage: meshsync \[options\] \[command\]\n/);
    expect(exit.stdout).toMatch(/^ {2}serve \[options\] +Sync one or more clusters/m);
    expect(exit.stdout).toMatch(/^ {2}sim \[options\] +Run the Kubernetes API simulator/m);
    expect(exit.stdout).toMatch(/^ {2}-V, --version +print the version$/m);
  });

  it("lists serve's flags for serve --help, the log format among them", async () => {
    const exit = await meshsync(["serve", "--help"]);
    expect(exit.status).toBe(0);
    expect(exit.stdout).toMatch(/^Usage: meshsync serve \[options\]\n/);
    expect(exit.stdout).toMatch(/^ {2}--log-format <format> +json or pretty/m);
  });
});

/** The processes below `pid`, found through /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat === undefined) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** State and parent from /proc/PID/stat, or undefined once the process is gone. */
function processStat(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (command name) state ppid …": the name may hold spaces and parentheses.
  const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: state!, ppid: Number(ppid) };
}

/** Gone, or a zombie nobody has reaped yet (a container's first process may never reap). */
function ended(pid: number): boolean {
  const stat = processStat(pid);
  return stat === undefined || stat.state === "Z";
}

async function refusesConnections(origin: string): Promise<boolean> {
  try {
    await fetch(`${origin}/healthz`);
    return false;
  } catch {
    return true;
  }
}

describe.runIf(existsSync("/proc/self/stat"))("npm start", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "ends the server and every process under npm when npm gets %s",
    async (signal) => {
      const npm = spawn("npm", ["start", "--", "--port", "0"], {
        cwd: root,
        env: { ...process.env, KUBECONFIG: "", HOME: mkdtempSync(join(tmpdir(), "meshsync-home-")) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      npm.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<void>((resolve) => npm.once("exit", () => resolve()));
      let below: number[] = [];
      try {
        const origin = await new Promise<string>((resolve, reject) => {
          const lines = createInterface({ input: npm.stdout });
          lines.on("line", (line) => {
            output += `${line}\n`;
            const match = /listening on (http:\/\/[^\s/]+)/.exec(line);
            if (match) resolve(match[1]!);
          });
          npm.once("exit", () => reject(new Error(`npm start ended before listening:\n${output}`)));
        });
        expect((await fetch(`${origin}/healthz`)).status).toBe(200);
        below = descendantsOf(npm.pid!);
        expect(below.length).toBeGreaterThan(0);

        npm.kill(signal);
        await exited;
        await eventually(async () => below.every(ended), 15_000, `every process under npm ended:\n${output}`);
        expect(await refusesConnections(origin)).toBe(true);
        // The server shut down in order on the signal, rather than being killed.
        expect(output).toContain(`"signal":"${signal}"`);
        expect(output).toContain("shutting down");
      } finally {
        // Only when the test failed: what it started must not outlive it.
        for (const pid of [npm.pid!, ...below].filter((pid) => !ended(pid))) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // ended meanwhile
          }
        }
      }
    },
    60_000,
  );
});
