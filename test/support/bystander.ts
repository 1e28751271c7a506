// The healthy client beside an attack: starts test/support/bystander-process.ts and reads what it
// measured over a window of time, waiting for every sample the window owes (a query still in flight at
// its end, a change written in it) so that a server that stopped answering cannot pass by silence.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { eventually } from "@meshsync/testing";
import type { BystanderConfig, BystanderEvent } from "./bystander-process.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "bystander-process.ts");

export interface BystanderWindow {
  queries: number;
  queryP99Ms: number;
  queryMaxMs: number;
  /** What was wrong with answers in the window: non-200, GraphQL errors, a page short of objects. */
  queryErrors: string[];
  /** Changes written in the window, and how many of them reached the subscriber. */
  changesSent: number;
  changesReceived: number;
  changeP99Ms: number;
  changeMaxMs: number;
}

/** Nearest rank: the smallest value that at least p % of the values do not exceed. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

/** How long after a window a change written in it may still arrive before it counts as lost. */
const changeGraceMs = 10_000;

export class Bystander {
  private readonly queries: Extract<BystanderEvent, { kind: "query" }>[] = [];
  private readonly sent: number[] = [];
  private readonly received = new Map<number, number>();
  private ready = false;
  private output = "";

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let event: BystanderEvent;
      try {
        event = JSON.parse(line) as BystanderEvent;
      } catch {
        this.output += `${line}\n`;
        return;
      }
      if (event.kind === "ready") this.ready = true;
      else if (event.kind === "query") this.queries.push(event);
      else if (event.kind === "sent") this.sent.push(event.stamp);
      else this.received.set(event.stamp, event.ms);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
  }

  /** Starts the bystander and resolves once its subscriber receives changes. */
  static async start(config: BystanderConfig): Promise<Bystander> {
    const child = spawn(
      process.execPath,
      ["--conditions=@meshsync/source", "--import", "tsx", script, JSON.stringify(config)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const bystander = new Bystander(child);
    await eventually(() => bystander.ready, 30_000, `the bystander to follow changes (${bystander.output})`);
    return bystander;
  }

  /** What the bystander saw of the window [from, to] (epoch ms), once every sample it owes is in. */
  async window(from: number, to: number): Promise<BystanderWindow> {
    // Queries run one after another: once one has started after the window, all of the window's are in.
    await eventually(
      () => this.queries.some((q) => q.start > to),
      30_000,
      `the bystander's queries after the window (${this.output})`,
    );
    const written = this.sent.filter((stamp) => stamp >= from && stamp <= to);
    await eventually(
      () => written.every((stamp) => this.received.has(stamp)),
      changeGraceMs,
      "changes",
    ).catch(() => {});
    const queries = this.queries.filter((q) => q.start >= from && q.start <= to);
    const changeLatencies = written.flatMap((stamp) => {
      const ms = this.received.get(stamp);
      return ms === undefined ? [] : [ms];
    });
    return {
      queries: queries.length,
      queryP99Ms: percentile(
        queries.map((q) => q.ms),
        99,
      ),
      queryMaxMs: Math.max(...queries.map((q) => q.ms)),
      queryErrors: queries.flatMap((q) => (q.error === undefined ? [] : [q.error])),
      changesSent: written.length,
      changesReceived: changeLatencies.length,
      changeP99Ms: percentile(changeLatencies, 99),
      changeMaxMs: Math.max(...changeLatencies),
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const killer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    this.child.kill("SIGTERM");
    await exited;
    clearTimeout(killer);
  }
}
