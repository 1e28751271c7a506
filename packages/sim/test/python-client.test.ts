// The official Python client (Debian's python3-kubernetes) against the simulator: kubectl is not the
// only client that must not tell it from a real server.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../src/index.js";
import { startEmpty } from "./sim-client.js";

// Debian's package installs for the system interpreter, not for a python3 earlier on PATH.
const python = "/usr/bin/python3";
const script = join(dirname(fileURLToPath(import.meta.url)), "python", "official_client.py");
const hasClient = spawnSync(python, ["-c", "import kubernetes"], { stdio: "ignore" }).status === 0;
if (!hasClient) {
  console.warn(
    `${python} cannot import kubernetes (apt-get install python3-kubernetes): skipping the Python client tests`,
  );
}

describe.skipIf(!hasClient)("the official Python client against the simulator", () => {
  let sim: RunningSimulator;
  let seen: Record<string, unknown>;

  beforeAll(async () => {
    sim = await startEmpty();
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "meshsync-python-")), "config");
    writeFileSync(kubeconfig, sim.kubeconfig());
    const { stdout } = await promisify(execFile)(python, [script, kubeconfig], { timeout: 60_000 });
    seen = JSON.parse(stdout) as Record<string, unknown>;
  }, 90_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("lists namespaces", () => {
    expect(seen.namespaces).toEqual(expect.arrayContaining(["default", "kube-system"]));
  });

  it("creates, patches, selects and deletes a ConfigMap", () => {
    expect(seen.created_rv).toMatch(/^\d+$/);
    expect(seen.patched_data).toEqual({ greeting: "patched" });
    expect(seen.selected).toEqual(["from-python"]);
    expect(seen.after_delete).toEqual([]);
  });

  it("watches from a resourceVersion until the timeout ends the stream", () => {
    expect(seen.watched).toEqual([["MODIFIED", "from-python", { greeting: "patched" }]]);
  });

  it("creates a CRD, and creates, patches, reads and deletes one of its custom objects", () => {
    expect(seen.crd).toBe("gadgets.example.com");
    expect(seen.gadget).toEqual({ size: 2 });
    expect(seen.gadgets).toEqual(["g1"]);
    expect(seen.gadgets_after_delete).toEqual([]);
  });
});
