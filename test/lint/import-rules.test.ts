// The import rules `npm run lint` checks (.dependency-cruiser.cjs), run by the real tool over a small
// tree laid out like the project's: allowed imports pass, and each forbidden one fails with its rule.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const depcruise = join(root, "node_modules", ".bin", "depcruise");
const config = join(root, ".dependency-cruiser.cjs");

const allowed: Record<string, string> = {
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      module: "NodeNext",
      moduleResolution: "NodeNext",
      customConditions: ["@meshsync/source"],
    },
  }),
  "packages/k8s/package.json": JSON.stringify({
    name: "@meshsync/k8s",
    type: "module",
    exports: { ".": { "@meshsync/source": "./src/index.ts" } },
  }),
  "packages/k8s/src/index.ts": 'export { k8s } from "./semantics.js";\n',
  "packages/k8s/src/semantics.ts": "export const k8s = 1;\n",
  "packages/sim/package.json": JSON.stringify({
    name: "@meshsync/sim",
    type: "module",
    exports: { ".": { "@meshsync/source": "./src/index.ts" } },
  }),
  "packages/sim/src/index.ts": 'import { k8s } from "@meshsync/k8s";\nexport const sim = k8s;\n',
  "src/kube/index.ts": 'export { kubeType } from "./types.js";\n',
  "src/kube/types.ts": 'import { k8s } from "@meshsync/k8s";\nexport const kubeType = k8s;\n',
  "src/graph/index.ts": 'import { kubeType } from "../kube/index.js";\nexport const graph = kubeType;\n',
  "src/api/index.ts": 'import { graph } from "../graph/index.js";\nexport const api = graph;\n',
  "src/commands/index.ts": 'export { loadSimulator } from "./load-simulator.js";\n',
  "src/commands/load-simulator.ts":
    'import type * as Simulator from "@meshsync/sim";\nexport const loadSimulator = (): Promise<typeof Simulator> => import("@meshsync/sim");\n',
  "src/cli.ts":
    'import { loadSimulator } from "./commands/index.js";\nimport { api } from "./api/index.js";\nexport { api, loadSimulator };\n',
};

const forbidden: Record<string, [file: string, source: string]> = {
  "layer-kube": [
    "src/kube/reads-graph.ts",
    'import { graph } from "../graph/index.js";\nexport const x = graph;\n',
  ],
  "layer-graph": [
    "src/graph/reads-api.ts",
    'import { api } from "../api/index.js";\nexport const x = api;\n',
  ],
  "enter-folders-through-index": [
    "src/graph/deep.ts",
    'import { kubeType } from "../kube/types.js";\nexport const x = kubeType;\n',
  ],
  "cli-enters-folders-through-index": [
    "src/other-cli.ts",
    'import { kubeType } from "./kube/types.js";\nexport const x = kubeType;\n',
  ],
  "simulator-only-through-the-loader": [
    "src/commands/eager.ts",
    'import { sim } from "@meshsync/sim";\nexport const x = sim;\n',
  ],
  "packages-never-import-the-product": [
    "packages/sim/src/reads-product.ts",
    'import { graph } from "../../../src/graph/index.js";\nexport const x = graph;\n',
  ],
  "packages-enter-each-other-by-name": [
    "packages/sim/src/deep-k8s.ts",
    'import { k8s } from "../../k8s/src/semantics.js";\nexport const x = k8s;\n',
  ],
  "k8s-stands-alone": [
    "packages/k8s/src/reads-sim.ts",
    'import { sim } from "@meshsync/sim";\nexport const x = sim;\n',
  ],
};

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "meshsync-import-rules-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(join(dir, "node_modules", "@meshsync"), { recursive: true });
  for (const name of ["k8s", "sim"])
    symlinkSync(join(dir, "packages", name), join(dir, "node_modules", "@meshsync", name));
  return dir;
}

function cruise(dir: string): { status: number | null; output: string } {
  const result = spawnSync(depcruise, ["--config", config, "--output-type", "err", "src", "packages"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("import rules", () => {
  it("pass a tree that keeps them", () => {
    const result = cruise(tree(allowed));
    expect(result.output).toContain("no dependency violations found");
    expect(result.status).toBe(0);
  });

  it("fail each forbidden import with its rule", () => {
    const files = { ...allowed };
    for (const [file, source] of Object.values(forbidden)) files[file] = source;
    // The loader importing the simulator statically instead of dynamically.
    files["src/commands/load-simulator.ts"] =
      'import * as Simulator from "@meshsync/sim";\nexport const loadSimulator = async () => Simulator;\n';
    const result = cruise(tree(files));
    expect(result.status).not.toBe(0);
    for (const [rule, [file]] of Object.entries(forbidden)) {
      expect(result.output, rule).toMatch(new RegExp(`error ${rule}: ${file.replace(/[.]/g, "\\.")} →`));
    }
    expect(result.output).toMatch(/error simulator-loaded-lazily: src\/commands\/load-simulator\.ts →/);
    expect(result.output).toContain(`${Object.keys(forbidden).length + 1} dependency violations`);
  });
});
