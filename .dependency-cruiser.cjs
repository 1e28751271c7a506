// The import rules of DESIGN.md as a build fact: `npm run lint` fails on an import that breaks one.
// test/lint/import-rules.test.ts shows each rule failing on a forbidden import.

// Data flows one way: each layer imports only the layers above it. commands/, config/ and cli.ts
// are the bottom and may import anything.
const layers = ["kube", "graph", "api", "server", "outputs"];
const bottom = ["commands", "config"];

const layering = layers.map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} imports only ${i === 0 ? "no other layer" : `layers above it (${layers.slice(0, i).join(", ")})`}`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${[...layers.slice(i + 1), ...bottom].join("|")})/|^src/[^/]+\\.ts$` },
}));

// What each workspace package exports (its "@meshsync/source" entry points): the only files another
// package may import, by the package's name.
const { existsSync, readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const packagesDir = join(__dirname, "packages");
const entryPoints = (existsSync(packagesDir) ? readdirSync(packagesDir) : []).flatMap((name) => {
  const manifest = join(packagesDir, name, "package.json");
  if (!existsSync(manifest)) return [];
  const exports = JSON.parse(readFileSync(manifest, "utf8")).exports ?? {};
  return Object.values(exports)
    .map((entry) => entry["@meshsync/source"])
    .filter((file) => typeof file === "string")
    .map((file) => `^packages/${name}/${file.replace(/^\.\//, "").replace(/[.]/g, "\\.")}$`);
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layering,
    {
      name: "enter-folders-through-index",
      comment: "another folder of src/ is entered only through its index.ts",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { path: "^src/[^/]+/", pathNot: ["^src/$1/", "^src/[^/]+/index\\.ts$"] },
    },
    {
      name: "cli-enters-folders-through-index",
      comment: "src/cli.ts enters the folders of src/ only through their index.ts",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: "^src/[^/]+/", pathNot: "^src/[^/]+/index\\.ts$" },
    },
    {
      name: "simulator-only-through-the-loader",
      comment: "the product reaches the simulator package only through src/commands/load-simulator.ts",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/commands/load-simulator\\.ts$" },
      to: { path: "^packages/sim/" },
    },
    {
      name: "simulator-loaded-lazily",
      comment:
        "the loader imports the simulator package only dynamically, so a real-cluster start never loads it",
      severity: "error",
      from: { path: "^src/commands/load-simulator\\.ts$" },
      to: { path: "^packages/sim/", dependencyTypesNot: ["dynamic-import", "type-only"] },
    },
    {
      name: "packages-never-import-the-product",
      comment: "packages/ depend on nothing of the product",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: "^(src|test|bench|scripts|bin)/" },
    },
    {
      name: "packages-enter-each-other-by-name",
      comment: "a package reaches another only through the other's entry point (its package name)",
      severity: "error",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/", pathNot: ["^packages/$1/", ...entryPoints] },
    },
    {
      name: "k8s-stands-alone",
      comment: "the Kubernetes semantics package imports no other package of the workspace",
      severity: "error",
      from: { path: "^packages/k8s/" },
      to: { path: "^packages/", pathNot: "^packages/k8s/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@meshsync/source", "import", "types", "default"],
      extensions: [".ts", ".js"],
    },
  },
};
