// The first sync's progress from the outside: `meshsync serve` (a real process, with a token) syncs a
// simulator whose ConfigMap list answers ten seconds late. Meanwhile /readyz says how far the sync
// has come, in counts only to a client without the token, and the log carries a progress line every
// few seconds; once ready, one line with the total.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningSimulator, startSimulator } from "@meshsync/sim";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

const token = "progress-test-token";
// Twice the 5 s between progress lines: serve may take a while to listen after its lists began.
const listDelayMs = 10_000;

let sim: RunningSimulator;
let serve: RunningProcess;

beforeAll(async () => {
  sim = await startSimulator({
    scenario: "demo",
    seed: 1,
    faults: [{ action: "delay", ms: listDelayMs, count: 1, path: "^/api/v1/configmaps\\?limit=" }],
  });
  const kubeconfig = join(tempDir("meshsync-progress-"), "sim.kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  serve = await startMeshsync(["serve", "--port", "0", "--kubeconfig", kubeconfig, "--token", token]);
});

afterAll(async () => {
  await serve?.stop();
  await sim?.close();
});

interface ReadyzBody {
  status: string;
  reason?: string;
  progress?: Record<string, number>;
  clusters?: unknown[];
}

async function readyz(withToken: boolean): Promise<{ status: number; body: ReadyzBody }> {
  const response = await fetch(`${serve.origin}/readyz`, {
    headers: withToken ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as ReadyzBody };
}

describe("progress during the first sync", () => {
  it("shows in /readyz's body while not ready: counts to anyone, the details only with the token", async () => {
    let seen: { status: number; body: ReadyzBody } | undefined;
    await eventually(
      async () => {
        seen = await readyz(false);
        const progress = seen.body.progress;
        return progress !== undefined && progress.typesSynced! > 0 && progress.objects! > 0;
      },
      listDelayMs,
      "/readyz showing types listed and objects while the ConfigMap list is held back",
    );
    expect(seen!.status).toBe(503);
    expect(seen!.body).toEqual({
      status: "not ready",
      reason: "the first sync has not finished",
      progress: {
        clustersDiscovered: 1,
        clustersTotal: 1,
        typesSynced: expect.any(Number),
        typesForbidden: 0,
        typesTotal: expect.any(Number),
        objects: expect.any(Number),
      },
    });
    const progress = seen!.body.progress!;
    // ConfigMaps are still being listed.
    expect(progress.typesSynced).toBeLessThan(progress.typesTotal!);

    const detailed = await readyz(true);
    expect(detailed.status).toBe(503);
    expect(detailed.body.progress).toMatchObject({ clustersTotal: 1, typesTotal: progress.typesTotal });
    expect(detailed.body.clusters).toHaveLength(1);
  });

  it("logs progress lines until ready, then the total, and /readyz drops the progress", async () => {
    await eventually(async () => (await readyz(false)).status === 200, 30_000, "serve ready");
    expect((await readyz(true)).body).not.toHaveProperty("progress");

    const lines = logLines(serve, "sync progress");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({
      typesSynced: expect.any(Number),
      typesTotal: expect.any(Number),
      objects: expect.any(Number),
      objectsPerSecond: expect.any(Number),
    });
    expect(lines[0]!.typesSynced).toBeLessThan(lines[0]!.typesTotal as number);

    await eventually(
      async () => logLines(serve, "first sync finished").length === 1,
      10_000,
      "the closing line",
    );
    const [finished] = logLines(serve, "first sync finished");
    expect(finished!.typesSynced).toBe(finished!.typesTotal);
    expect(finished!.objects).toBeGreaterThan(0);
    expect(finished!.seconds).toBeGreaterThanOrEqual(listDelayMs / 1000);
  });
});
