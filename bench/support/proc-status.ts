// A process's memory as the kernel counts it, read from outside: a process too busy to answer, or one
// that is not Node (kubectl), is measured the same way.
import { readFileSync } from "node:fs";

/** VmHWM (the most RSS it ever held) and VmRSS in bytes, or undefined where there is no /proc entry. */
export function readProcStatus(pid: number | "self"): { hwm: number; rss: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}
