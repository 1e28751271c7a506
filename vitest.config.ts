import { createRequire } from "node:module";
import { configDefaults, defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

/** The files that measure latency under an attack: run alone, last (the "hostile" project below). */
const measuredAlone = ["test/e2e/hostile-*.test.ts", "test/e2e/slow-clients.test.ts"];

export default defineConfig({
  resolve: {
    // The workspace packages are TypeScript in a checkout; this condition picks their sources over
    // the dist/ a build leaves (see the packages' "exports").
    conditions: ["@meshsync/source"],
    // Node loads graphql's CommonJS build for a bare "graphql" import, and so do Pothos, yoga and
    // graphql-ws; Vite would pick the ESM build for our own imports, and two copies of graphql fail
    // each other's instanceof checks. Resolve it the way Node does.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  ssr: { resolve: { conditions: ["@meshsync/source"] } },
  test: {
    // One project per workspace package, so `npm test` runs them all and `--project sim` runs one.
    projects: [
      {
        extends: true,
        test: {
          name: "meshsync",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...measuredAlone],
        },
      },
      // The hostile-input files, and the clients that stop reading, measure a healthy client's latency
      // while they attack: they run after everything else, one at a time, so that no other test's load
      // is taken for the attack's.
      {
        extends: true,
        test: {
          name: "hostile",
          include: measuredAlone,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: "k8s", include: ["packages/k8s/test/**/*.test.ts"] } },
      { extends: true, test: { name: "sim", include: ["packages/sim/test/**/*.test.ts"] } },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end files start real processes; two cores is all a machine here has.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
