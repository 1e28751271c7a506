import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end files start real processes; two cores is all a machine here has.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
