// The bed the hostile-input tests run on: `meshsync sim` (the medium scenario, churning) and `meshsync
// serve` as real processes, a bystander process that measures a healthy client's latency, and the serve
// process's RSS read from /proc while each attack runs. Every attack is then checked for the two
// bystander bounds: the healthy client's p99 stays under 500 ms and RSS grows less than 300 MB.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Bystander, type BystanderWindow } from "./bystander.js";
import type { Transport } from "./follow.js";
import { type SimAndServe, startSimAndServe } from "./processes.js";

/** The scale: about 8,400 objects, 300 changes a second. */
const simArgs = ["--scenario", "medium", "--churn", "300", "--seed", "9"];

/** How long each attack runs while the bystander measures: a few seconds, so the suite stays short. */
export const attackWindowMs = 2_000;

export const latencyBoundMs = 500;
export const rssGrowthBoundMB = 300;

export interface AttackReport extends BystanderWindow {
  attack: string;
  attackMs: number;
  rssBeforeMB: number;
  rssMostMB: number;
  rssGrowthMB: number;
}

function rssMB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

/** Runs `once` again and again, one after another, until `ms` have passed; at least once. */
export async function repeatFor<T>(ms: number, once: () => Promise<T>): Promise<T[]> {
  const outcomes: T[] = [];
  const until = Date.now() + ms;
  do outcomes.push(await once());
  while (Date.now() < until);
  return outcomes;
}

export interface HostileBedOptions {
  /** serve's token; none for a server that answers loopback names only. */
  token?: string | undefined;
  /** What the bystander's subscriber follows changes over. */
  transport: Transport;
  serveArgs?: string[];
}

export class HostileBed {
  /** serve's stderr from the moment the bed was up: its JSON log. */
  private stderr = "";

  private constructor(
    readonly processes: SimAndServe,
    readonly bystander: Bystander,
    readonly token: string | undefined,
  ) {
    processes.serve.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static async start(options: HostileBedOptions): Promise<HostileBed> {
    const serveArgs = [
      ...(options.token === undefined ? [] : ["--token", options.token]),
      ...(options.serveArgs ?? []),
    ];
    const processes = await startSimAndServe(simArgs, serveArgs);
    try {
      const bystander = await Bystander.start({
        graphqlUrl: processes.graphqlUrl,
        simOrigin: processes.sim.origin,
        token: options.token,
        transport: options.transport,
        namespace: "hostile-bystander",
      });
      return new HostileBed(processes, bystander, options.token);
    } catch (error) {
      await processes.stop();
      throw error;
    }
  }

  get graphqlUrl(): string {
    return this.processes.graphqlUrl;
  }

  get origin(): string {
    return this.processes.serve.origin;
  }

  get simOrigin(): string {
    return this.processes.sim.origin;
  }

  /** The Authorization header a client with the token sends. */
  get auth(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }

  /**
   * Cursors a resume must answer with RESYNC first: from another process (another epoch), from before
   * the retained window (`retainedChanges`, which the churn must have passed twice over), and garbage.
   */
  async resumeCursors(retainedChanges: number): Promise<{ epoch: string; cursors: Record<string, string> }> {
    const response = await fetch(this.graphqlUrl, {
      method: "POST",
      headers: { ...this.auth, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ resources(first: 0) { sequence } }" }),
    });
    const page = (await response.json()) as { data: { resources: { sequence: string } } };
    const [epoch = "", sequence = ""] = page.data.resources.sequence.split(":");
    expect(Number(sequence)).toBeGreaterThan(retainedChanges * 2);
    return {
      epoch,
      cursors: { foreign: `${"0".repeat(epoch.length)}:${sequence}`, tooOld: `${epoch}:1`, garbage: "}{" },
    };
  }

  /** One figure of serve's /metrics, read with the token; 0 for a counter nothing has counted yet. */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.origin}/metrics`, { headers: this.auth })).text();
    const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
    return Number(new RegExp(`^${escaped} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  }

  /** What serve wrote to stderr (its JSON log) since the bed was up. */
  logText(): string {
    return this.stderr;
  }

  /**
   * Runs an attack while the bystander measures and serve's RSS is sampled, and reports both beside
   * the attack's own outcome.
   */
  async attack<T>(name: string, run: () => Promise<T>): Promise<{ outcome: T; report: AttackReport }> {
    const pid = this.processes.serve.child.pid!;
    const rssBeforeMB = rssMB(pid);
    let rssMostMB = rssBeforeMB;
    const sampler = setInterval(() => {
      rssMostMB = Math.max(rssMostMB, rssMB(pid));
    }, 50);
    const from = Date.now();
    let to = from;
    let outcome!: T;
    try {
      outcome = await run();
    } finally {
      to = Date.now();
      // What an attack leaves behind shows in the moments after it, too.
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(sampler);
      rssMostMB = Math.max(rssMostMB, rssMB(pid));
    }
    const window = await this.bystander.window(from, to);
    const report: AttackReport = {
      attack: name,
      attackMs: to - from,
      rssBeforeMB: Math.round(rssBeforeMB),
      rssMostMB: Math.round(rssMostMB),
      rssGrowthMB: Math.round(rssMostMB - rssBeforeMB),
      ...window,
    };
    console.log(JSON.stringify(report));
    return { outcome, report };
  }

  async stop(): Promise<void> {
    await this.bystander.stop();
    await this.processes.stop();
  }
}

/** The two bystander bounds, and enough samples that they mean something. */
export function expectBystanderUnharmed(report: AttackReport): void {
  expect(report.queries, "bystander queries in the window").toBeGreaterThanOrEqual(5);
  expect(report.queryErrors, "bystander queries answered wrongly").toEqual([]);
  expect(report.queryP99Ms, "bystander query p99 (ms)").toBeLessThan(latencyBoundMs);
  expect(report.changesSent, "bystander changes written in the window").toBeGreaterThanOrEqual(5);
  expect(report.changesReceived, "bystander changes received").toBe(report.changesSent);
  expect(report.changeP99Ms, "bystander change p99 (ms)").toBeLessThan(latencyBoundMs);
  expect(report.rssGrowthMB, "serve RSS growth (MB)").toBeLessThan(rssGrowthBoundMB);
}
