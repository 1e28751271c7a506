// The embedded simulator's kubeconfig as a file of its own, so that kubectl can be pointed at the
// cluster meshsync serves: in a directory only this user can read ($XDG_RUNTIME_DIR, else one under
// the OS temp dir), named after meshsync's port so that two servers never share one, never the
// user's ~/.kube/config. It goes when the process exits.
import { lstatSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { isAbsolute, join } from "node:path";

export interface WrittenKubeconfig {
  readonly path: string;
  /** Deletes the file; safe to call more than once. */
  remove(): void;
}

function currentUser(): string {
  const uid = process.getuid?.();
  return uid === undefined ? userInfo().username.replace(/[^A-Za-z0-9_.-]/g, "_") : String(uid);
}

/** A directory of ours alone: ours, a real directory (not a link someone planted), closed to others. */
function isPrivateDirectory(path: string): boolean {
  try {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return false;
    const uid = process.getuid?.();
    // Windows has neither owners nor modes in this sense; its temp dir is per-user already.
    if (uid === undefined) return true;
    return stat.uid === uid && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

function privateDirectory(env: NodeJS.ProcessEnv): { dir: string; own: boolean } {
  const runtime = env.XDG_RUNTIME_DIR;
  const candidates =
    runtime && isAbsolute(runtime)
      ? [join(runtime, "meshsync")]
      : [join(tmpdir(), `meshsync-${currentUser()}`)];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      continue;
    }
    if (isPrivateDirectory(dir)) return { dir, own: false };
  }
  // Someone else holds the usual name: a fresh directory nobody can have prepared.
  return { dir: mkdtempSync(join(tmpdir(), "meshsync-")), own: true };
}

/** Writes `yaml` to a per-user file (mode 0600) named after `port`, removed when the process exits. */
export function writeSimulatorKubeconfig(
  yaml: string,
  port: string,
  env: NodeJS.ProcessEnv = process.env,
): WrittenKubeconfig {
  const { dir, own } = privateDirectory(env);
  const path = join(dir, `sim-${port}.kubeconfig`);
  // A file left by a server that died on this port is ours; "wx" then refuses anything else there.
  rmSync(path, { force: true });
  writeFileSync(path, yaml, { mode: 0o600, flag: "wx" });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off("exit", remove);
    try {
      unlinkSync(path);
      if (own) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Already gone (someone cleaned the temp dir): nothing left to do.
    }
  };
  // Also on an exit that skips the orderly shutdown (an uncaught error, process.exit).
  process.on("exit", remove);
  return { path, remove };
}

/** The path as a shell takes it: bare when it is plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
