import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildStamp, compiledState } from "../bin/freshness.js";

const built = new Date("2026-06-01T12:00:00Z");
const before = new Date("2026-06-01T11:00:00Z");
const after = new Date("2026-06-01T12:00:01Z");

/** A checkout in miniature: the product, a package that builds, one that does not, all built. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), "meshsync-freshness-"));
  const files = [
    "src/cli.ts",
    "src/kube/engine.ts",
    "tsconfig.json",
    "tsconfig.build.json",
    "packages/sim/tsconfig.build.json",
    "packages/sim/src/index.ts",
    "packages/testing/src/index.ts",
    "dist/cli.js",
  ];
  for (const file of files) write(root, file, before);
  for (const dir of ["src/kube", "src", "packages/sim/src", "packages/testing/src"]) {
    utimesSync(join(root, dir), before, before);
  }
  write(root, buildStamp, built);
  return root;
}

function write(root: string, file: string, time: Date): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "");
  utimesSync(path, time, time);
}

describe("whether the bin may run the compiled dist/", () => {
  it("runs dist/ when nothing changed since the build began", () => {
    expect(compiledState(checkout())).toBe("current");
  });

  it.each([
    ["an edited file deep in src/", "src/kube/engine.ts"],
    ["an edited file of a package that builds", "packages/sim/src/index.ts"],
    ["an edited tsconfig", "tsconfig.build.json"],
  ])("runs the sources after %s", (_what, file) => {
    const root = checkout();
    utimesSync(join(root, file), after, after);
    expect(compiledState(root)).toBe("stale");
  });

  it("runs the sources after a file is added or removed, which changes only its folder", () => {
    const root = checkout();
    rmSync(join(root, "src/kube/engine.ts"));
    utimesSync(join(root, "src/kube"), after, after);
    expect(compiledState(root)).toBe("stale");
  });

  it("ignores packages that build no dist/ of their own", () => {
    const root = checkout();
    utimesSync(join(root, "packages/testing/src/index.ts"), after, after);
    expect(compiledState(root)).toBe("current");
  });

  it("runs the sources when there is no build stamp or no dist/cli.js", () => {
    const unstamped = checkout();
    rmSync(join(unstamped, buildStamp));
    expect(compiledState(unstamped)).toBe("stale");
    const unbuilt = checkout();
    rmSync(join(unbuilt, "dist/cli.js"));
    expect(compiledState(unbuilt)).toBe("stale");
  });

  it("runs dist/ in an install that ships no sources", () => {
    const root = checkout();
    rmSync(join(root, "src"), { recursive: true });
    expect(compiledState(root)).toBe("no-sources");
  });
});
