// Runs the Dockerfile's production-dependencies stage here, with the stage's own COPY and RUN lines
// (npm takes what it can from its cache), and looks at the node_modules the image would get: no
// build or test tooling, the lockfile's versions, every runtime dependency loadable by plain node.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/processes.js";
import { copiesOf, finalStage, readDockerfile, type Stage, stageNamed } from "./dockerfile.js";
import { repoRoot } from "./manifests.js";

const dockerfile = readDockerfile();
const stage = stageNamed(dockerfile, "production-dependencies");

/** Packages that build, check or test the code: none of them may reach the image. */
const tooling = [
  /^tsx$/,
  /^esbuild$/,
  /^@esbuild\//,
  /^typescript$/,
  /^@types\//,
  /^undici-types$/,
  /^vitest$/,
  /^@vitest\//,
  /^vite$/,
  /^@biomejs\//,
  /^@graphql-codegen\//,
  /^dependency-cruiser$/,
  /^@meshsync\/testing$/,
];

interface RootManifest {
  dependencies: Record<string, string>;
}

interface LockFile {
  packages: Record<string, { version?: string; link?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as RootManifest;
const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as LockFile;

/** This process's environment without what `npm test` says about its own package and script. */
function npmFreeEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(package|lifecycle)_/.test(name)),
  );
}

function run(command: string, cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], {
      cwd,
      env: {
        ...npmFreeEnvironment(),
        npm_config_prefer_offline: "true",
        npm_config_update_notifier: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (status) => resolve({ status, output }));
  });
}

/** Replays a stage's WORKDIR (as `dir`), COPY from the build context and RUN lines; returns their output. */
async function replay(target: Stage, dir: string): Promise<string> {
  let printed = "";
  for (const instruction of target.instructions) {
    if (instruction.keyword === "COPY") {
      const [copy] = copiesOf({ ...target, instructions: [instruction] });
      if (copy!.from !== undefined) throw new Error(`line ${instruction.line}: copies from another stage`);
      const destination = join(dir, copy!.destination);
      mkdirSync(destination, { recursive: true });
      for (const source of copy!.sources) {
        cpSync(join(repoRoot, source), join(destination, source.split("/").at(-1)!), { recursive: true });
      }
    } else if (instruction.keyword === "RUN") {
      const { status, output } = await run(instruction.text, dir);
      if (status !== 0) throw new Error(`line ${instruction.line} failed (${status}):\n${output}`);
      printed += output;
    } else if (instruction.keyword !== "WORKDIR") {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} is not replayed here`);
    }
  }
  return printed;
}

/** Every installed package under node_modules, nested ones too, as [name, directory]. */
function installedPackages(modules: string): [string, string][] {
  if (!existsSync(modules)) return [];
  const found: [string, string][] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@")
      ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      const directory = join(modules, name);
      found.push([name, directory]);
      if (!lstatSync(directory).isSymbolicLink())
        found.push(...installedPackages(join(directory, "node_modules")));
    }
  }
  return found;
}

describe("the image's production dependencies", () => {
  let dir: string;
  let installed: [string, string][];
  let npmOutput: string;

  beforeAll(async () => {
    dir = tempDir("meshsync-image-modules-");
    npmOutput = await replay(stage, dir);
    installed = installedPackages(join(dir, "node_modules"));
  }, 240_000);

  it("hold no build, type-checking or test tooling", () => {
    expect(installed.length).toBeGreaterThan(50);
    const names = installed.map(([name]) => name);
    expect(names.filter((name) => tooling.some((pattern) => pattern.test(name)))).toEqual([]);
    // tsx is what runs the sources in a checkout; the image runs dist/cli.js instead.
    expect(names).not.toContain("tsx");
  });

  it("all declare an engine this Node satisfies (Node 20 in CI's first run), so npm warns of none", () => {
    expect(npmOutput).toMatch(/added \d+ packages/);
    expect(npmOutput).not.toContain("EBADENGINE");
  });

  it("are the lockfile's versions", () => {
    for (const [, directory] of installed) {
      if (lstatSync(directory).isSymbolicLink()) continue;
      const key = directory.slice(dir.length + 1);
      const { version } = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as {
        version: string;
      };
      expect(lock.packages[key]?.version, key).toBe(version);
    }
  });

  it("link the workspace packages the runtime stage fills with their compiled output", () => {
    const workspaceDependencies = Object.keys(manifest.dependencies).filter(
      (name) => lock.packages[`node_modules/${name}`]?.link === true,
    );
    expect(workspaceDependencies.sort()).toEqual(["@meshsync/k8s", "@meshsync/sim"]);
    const runtimeSources = copiesOf(finalStage(dockerfile)).flatMap((copy) => copy.sources);
    for (const name of workspaceDependencies) {
      const link = join(dir, "node_modules", name);
      expect(lstatSync(link).isSymbolicLink(), name).toBe(true);
      const folder = realpathSync(link).slice(realpathSync(dir).length);
      expect(runtimeSources).toEqual(
        expect.arrayContaining([`/app${folder}/dist`, `/app${folder}/package.json`]),
      );
    }
  });

  it("load with plain node, every runtime dependency of the product", () => {
    const runtimeDependencies = Object.keys(manifest.dependencies).filter(
      (name) => name !== "tsx" && !lock.packages[`node_modules/${name}`]?.link,
    );
    expect(runtimeDependencies.length).toBeGreaterThan(5);
    const script = `for (const name of ${JSON.stringify(runtimeDependencies)}) await import(name); console.log("loaded");`;
    const loaded = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(loaded.stderr).toBe("");
    expect(loaded.stdout.trim()).toBe("loaded");
  });
});
