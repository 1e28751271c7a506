// serve loads the simulator package only when it runs it: a start against a real cluster never does.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { chooseClusterSource } from "../../src/commands/sync-session.js";

// Counts each time the module is first imported; vitest runs the factory only then.
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock("@meshsync/sim", async (importOriginal) => {
  loads.count++;
  return importOriginal();
});

const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]
users: [{ name: u, user: {} }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;

describe("the lazy simulator loader", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("does not import the simulator for a real cluster, and does for --sim", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "meshsync-kubeconfig-")), "config");
    writeFileSync(path, kubeconfig);
    const real = await chooseClusterSource({
      contexts: [],
      allContexts: false,
      sim: false,
      kubeconfig: path,
      simChurn: 0,
    });
    expect(real.sim).toBeUndefined();
    expect(real.connect.kubeconfigPath).toBe(path);
    expect(loads.count).toBe(0);

    const embedded = await chooseClusterSource({
      contexts: [],
      allContexts: false,
      sim: true,
      kubeconfig: path,
      simChurn: 0,
    });
    stop = () => embedded.sim?.close() ?? Promise.resolve();
    expect(embedded.sim?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(loads.count).toBe(1);
  });
});
