// Where serve writes the embedded simulator's kubeconfig: a private per-user place, one file per
// server, never a directory someone else prepared, and gone when asked.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shellWord, writeSimulatorKubeconfig } from "../../src/commands/sim-kubeconfig.js";
import { tempDir } from "../support/processes.js";

const yaml = "apiVersion: v1\nkind: Config\n";
const user = String(process.getuid?.() ?? "");

describe("the simulator's kubeconfig file", () => {
  const savedTmp = process.env.TMPDIR;
  let tmp: string;
  beforeEach(() => {
    tmp = tempDir("meshsync-tmp-");
    // os.tmpdir() reads TMPDIR on every call.
    process.env.TMPDIR = tmp;
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });

  it("goes under $XDG_RUNTIME_DIR/meshsync, readable by its user alone, and away on remove", () => {
    const runtime = tempDir("meshsync-runtime-");
    const written = writeSimulatorKubeconfig(yaml, "8080", { XDG_RUNTIME_DIR: runtime });
    expect(written.path).toBe(join(runtime, "meshsync", "sim-8080.kubeconfig"));
    expect(readFileSync(written.path, "utf8")).toBe(yaml);
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(runtime, "meshsync")).mode & 0o777).toBe(0o700);
    written.remove();
    expect(existsSync(written.path)).toBe(false);
    written.remove();
  });

  it.skipIf(process.platform === "win32")(
    "goes under a per-user directory of the temp dir without one",
    () => {
      const written = writeSimulatorKubeconfig(yaml, "9000", {});
      expect(written.path).toBe(join(tmp, `meshsync-${user}`, "sim-9000.kubeconfig"));
      written.remove();
    },
  );

  it("replaces what a server that died on the same port left", () => {
    const runtime = tempDir("meshsync-runtime-");
    mkdirSync(join(runtime, "meshsync"), { mode: 0o700 });
    writeFileSync(join(runtime, "meshsync", "sim-8080.kubeconfig"), "stale", { mode: 0o644 });
    const written = writeSimulatorKubeconfig(yaml, "8080", { XDG_RUNTIME_DIR: runtime });
    expect(readFileSync(written.path, "utf8")).toBe(yaml);
    expect(statSync(written.path).mode & 0o777).toBe(0o600);
    written.remove();
  });

  it.skipIf(process.platform === "win32")(
    "takes a fresh directory when the usual one is open to others or a planted link",
    () => {
      const open = join(tmp, `meshsync-${user}`);
      mkdirSync(open);
      chmodSync(open, 0o777);
      const instead = writeSimulatorKubeconfig(yaml, "8080", {});
      expect(instead.path.startsWith(join(tmp, "meshsync-"))).toBe(true);
      expect(instead.path.startsWith(`${open}/`)).toBe(false);
      expect(statSync(join(instead.path, "..")).mode & 0o777).toBe(0o700);
      instead.remove();
      expect(existsSync(join(instead.path, ".."))).toBe(false);

      const runtime = tempDir("meshsync-runtime-");
      const elsewhere = tempDir("meshsync-elsewhere-");
      symlinkSync(elsewhere, join(runtime, "meshsync"));
      const notLinked = writeSimulatorKubeconfig(yaml, "8080", { XDG_RUNTIME_DIR: runtime });
      expect(notLinked.path.startsWith(join(runtime, "meshsync"))).toBe(false);
      expect(existsSync(join(elsewhere, "sim-8080.kubeconfig"))).toBe(false);
      notLinked.remove();
    },
  );

  it("quotes a path for the shell only when it needs it", () => {
    expect(shellWord("/run/user/1000/meshsync/sim-8080.kubeconfig")).toBe(
      "/run/user/1000/meshsync/sim-8080.kubeconfig",
    );
    expect(shellWord("/Users/a b/it's")).toBe(`'/Users/a b/it'\\''s'`);
  });
});
