// The Dockerfile read as BuildKit reads it (no Docker engine is needed): a maintained Node LTS pinned
// to a release, a numeric non-root user the kubelet can verify, a health check, the version in the
// OCI labels, and a runtime stage that takes no build tooling from the stages before it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copiesOf,
  envOf,
  execForm,
  finalStage,
  healthCheckCommand,
  instructionsOf,
  labelsOf,
  parseDockerfile,
  readDockerfile,
  stageNamed,
} from "./dockerfile.js";
import { deployment, packageVersion, repoRoot, theObject } from "./manifests.js";

const dockerfile = readDockerfile();
const runtime = finalStage(dockerfile);

describe("the Dockerfile", () => {
  it("builds every stage on Node 24, the maintained LTS, pinned to a release of the slim Debian image", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of dockerfile.stages) {
      expect(stage.base).toMatch(/^node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("runs as a numeric non-root user and group, the ones the Deployment names", () => {
    const users = instructionsOf(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!.text;
    expect(last).toMatch(/^\d+:\d+$/);
    const [user, group] = last.split(":").map(Number);
    expect(user).toBeGreaterThan(0);
    expect(group).toBeGreaterThan(0);
    const pod = theObject("Deployment", deployment, "meshsync").spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: user, runAsGroup: group });
  });

  it("labels the image with the package version", () => {
    const labels = labelsOf(runtime);
    expect(labels.get("org.opencontainers.image.version")).toBe(packageVersion());
    expect(labels.get("org.opencontainers.image.title")).toBe("meshsync");
  });

  it("has a health check in exec form that asks /healthz on the port the server is given", () => {
    const checks = instructionsOf(runtime, "HEALTHCHECK");
    expect(checks).toHaveLength(1);
    const command = healthCheckCommand(runtime);
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/healthz");
    expect(command.join(" ")).toContain("process.env.MESHSYNC_PORT");
    expect(envOf(runtime).get("MESHSYNC_PORT")).toBe(
      String(instructionsOf(runtime, "EXPOSE")[0]?.text.split("/")[0]),
    );
  });

  it("starts the compiled CLI with node, never through tsx", () => {
    const entrypoint = execForm(instructionsOf(runtime, "ENTRYPOINT").at(-1)!.text);
    expect(entrypoint).toEqual(["node", "dist/cli.js"]);
    // tsconfig.build.json compiles src/ into dist/, so src/cli.ts becomes dist/cli.js.
    const build = JSON.parse(readFileSync(join(repoRoot, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.compilerOptions).toMatchObject({ rootDir: "src", outDir: "dist" });
    expect(existsSync(join(repoRoot, "src", "cli.ts"))).toBe(true);
    expect(execForm(instructionsOf(runtime, "CMD").at(-1)!.text)[0]).toBe("serve");
  });

  it("takes node_modules only from a stage that installs production dependencies alone", () => {
    const copies = copiesOf(runtime);
    const modules = copies.filter((copy) => copy.sources.some((source) => source.includes("node_modules")));
    expect(modules).toHaveLength(1);
    const production = stageNamed(dockerfile, modules[0]!.from ?? "");
    const installs = instructionsOf(production, "RUN").map((run) => run.text);
    expect(installs.some((run) => /npm (ci|install) [^&]*--omit=dev/.test(run))).toBe(true);
    // Nothing of that stage but node_modules, and nothing of the build stage but compiled output and
    // package manifests: no sources, no build's node_modules, no whole directory.
    for (const copy of copies) {
      for (const source of copy.sources) {
        if (copy.from === production.name) expect(source).toBe("/app/node_modules");
        else if (copy.from !== undefined)
          expect(source).toMatch(/^\/app\/(dist|packages\/[^/]+\/(dist|package\.json))$/);
        else expect(source).toBe("package.json");
      }
    }
  });

  it("is read by the parser the tests use: continuations, comments and global ARGs", () => {
    const parsed = parseDockerfile(
      [
        "# syntax=docker/dockerfile:1",
        "ARG BASE=node:24.0.0-bookworm-slim",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile syntax, not a template
        "FROM ${BASE} AS first",
        "RUN one \\",
        "  # a comment inside a continued line",
        "  && two",
        "FROM $BASE",
        "USER 1000:1000",
      ].join("\n"),
    );
    expect(parsed.stages.map((stage) => [stage.base, stage.name])).toEqual([
      ["node:24.0.0-bookworm-slim", "first"],
      ["node:24.0.0-bookworm-slim", undefined],
    ]);
    expect(parsed.stages[0]!.instructions).toEqual([{ keyword: "RUN", text: "one && two", line: 4 }]);
    expect(() => parseDockerfile("FROM a\nRUN b \\")).toThrow(/continuation/);
  });
});
