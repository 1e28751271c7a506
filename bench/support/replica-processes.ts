// The processes of bench/gateways.bench.ts and the subscribers that measure them: the simulator, a
// plain `serve`, the leader (`serve --to-nats`) and gateways (`serve --from-nats`), each waited for
// until it is ready and caught up; what the simulator says of its open watches; the CPU a process has
// used; and raw graphql-ws subscribers of every change that time each delivery against the commit
// time of the watcher that watched it. Processes log warnings only: every line they write is kept.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { NatsServer } from "../../test/support/nats-server.js";
import { type RunningProcess, startMeshsync, tempDir } from "../../test/support/processes.js";

/** Thrown by a check whose process has exited, so that waiting for it ends at once. */
class ProcessGone extends Error {}

/** Polls `check` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let held = false;
    try {
      held = await check();
    } catch (error) {
      // A check that can never hold says so by throwing a ProcessGone; other errors mean "not yet".
      if (error instanceof ProcessGone) throw error;
    }
    if (held) return;
    if (performance.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * fetch for the bench's reads, tried again when the connection was reset. A kept-alive connection
 * that has idled past the server's keep-alive timeout (Node's 5 s, while other processes start) can
 * be closed just as it is reused, more often on a loaded machine; these reads change nothing, so
 * asking again is safe.
 */
async function read(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (attempt === 3 || (code !== "ECONNRESET" && code !== "UND_ERR_SOCKET")) throw error;
    }
  }
}

export interface BenchSimulator {
  process: RunningProcess;
  /** Path of the kubeconfig it wrote. */
  kubeconfig: string;
}

/**
 * `meshsync sim` with churn on a scenario (the demo cluster unless named), resolved once its
 * kubeconfig is written; its process is kept for its CPU.
 */
export async function startSimulator(
  churn: number,
  seed: number,
  scenario = "demo",
): Promise<BenchSimulator> {
  const kubeconfig = join(tempDir("meshsync-bench-sim-"), "sim.kubeconfig");
  // Generating the scale scenario's 240,000 objects takes seconds before the simulator listens.
  const process = await startMeshsync(
    [
      "sim",
      "--scenario",
      scenario,
      "--port",
      "0",
      "--churn",
      String(churn),
      "--seed",
      String(seed),
      "--kubeconfig-out",
      kubeconfig,
    ],
    {},
    180_000,
  );
  try {
    await until(
      async () => process.output().includes("kubeconfig written"),
      15_000,
      "sim kubeconfig written",
    );
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { process, kubeconfig };
}

interface ReadyBody {
  replica?: { lag?: { seconds?: number } };
}

/** /readyz answers 200 and, for a replica that follows a stream, says it is under a second behind. */
async function caughtUp(origin: string): Promise<boolean> {
  const response = await fetch(`${origin}/readyz`);
  if (response.status !== 200) return false;
  const body = (await response.json().catch(() => ({}))) as ReadyBody;
  const lag = body.replica?.lag?.seconds;
  return lag === undefined || lag < 1;
}

async function ready(process: RunningProcess, what: string): Promise<RunningProcess> {
  try {
    await until(
      async () => {
        const { exitCode, signalCode } = process.child;
        if (exitCode !== null || signalCode !== null)
          throw new ProcessGone(`${what} exited (${exitCode ?? signalCode})`);
        return caughtUp(process.origin);
      },
      startTimeoutMs,
      `${what} ready and caught up`,
    );
  } catch (error) {
    await process.stop();
    throw new Error(`${(error as Error).message}:\n${process.output().slice(-2000)}`);
  }
  return process;
}

// A gateway listens only once it follows the stream, and three starting at once on a busy machine
// (from the sources, when the build is older than they are) take longer than a test's bound.
const startTimeoutMs = 180_000;

/** `meshsync serve <args>`, JSON logs at warning level, resolved once ready and caught up. */
async function startServe(args: string[], what: string): Promise<RunningProcess> {
  const serve = await startMeshsync(
    ["serve", "--port", "0", "--log-level", "warn", ...args],
    { MESHSYNC_LOG_FORMAT: "json" },
    startTimeoutMs,
  );
  return ready(serve, what);
}

/** Plain `serve` watching the simulator, no NATS: the baseline. */
export function startSingle(sim: BenchSimulator): Promise<RunningProcess> {
  return startServe(["--kubeconfig", sim.kubeconfig], "serve");
}

/** The one watcher, `serve --to-nats` without election, so it leads at once. */
export function startLeader(sim: BenchSimulator, nats: NatsServer): Promise<RunningProcess> {
  return startServe(["--kubeconfig", sim.kubeconfig, "--to-nats", nats.url], "leader");
}

/** `serve --from-nats`: no watches, its graph from the stream. */
export function startGatewayProcess(nats: NatsServer, name: string): Promise<RunningProcess> {
  return startServe(["--from-nats", nats.url], name);
}

/** The role a replica says it has (SINGLE, LEADER, STANDBY or GATEWAY). */
export async function replicaRole(origin: string): Promise<string> {
  const response = await read(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ replica { role } }" }),
  });
  const body = (await response.json()) as { data?: { replica?: { role?: string } }; errors?: unknown };
  const role = body.data?.replica?.role;
  if (role === undefined) throw new Error(`${origin} says no replica role: ${JSON.stringify(body)}`);
  return role;
}

export interface SimulatorState {
  openWatches: number;
  resourceVersion: number;
}

/** Open watch streams and the newest resourceVersion, as the simulator's /sim/faults reports them. */
export async function simulatorState(simOrigin: string): Promise<SimulatorState> {
  const body = (await (await read(`${simOrigin}/sim/faults`)).json()) as {
    openWatches: number;
    resourceVersion: string;
  };
  return { openWatches: body.openWatches, resourceVersion: Number(body.resourceVersion) };
}

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds (user and system) a process has used so far, read from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

const document =
  "subscription GatewayBench { resourceChanges { sequence time type resource { uid resourceVersion } } }";

const connectWave = 32;

/** Growable columns of numbers, one row a delivery. */
class Column {
  values = new Float64Array(1 << 16);
  grow(to: number): void {
    if (to < this.values.length) return;
    let length = this.values.length;
    while (length <= to) length *= 2;
    const next = new Float64Array(length);
    next.set(this.values);
    this.values = next;
  }
}

interface Subscriber {
  /** The cursor epoch of its first change; every later one must carry the same. */
  epoch: string | undefined;
  last: number;
}

/** The changes a watcher committed in a window: cursor number → commit time (epoch ms). */
export interface Commits {
  epoch: string;
  times: Map<number, number>;
}

async function graphql<T>(
  origin: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await read(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.data === undefined || body.errors !== undefined)
    throw new Error(`${origin}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

const cursorParts = (cursor: string) => {
  const colon = cursor.lastIndexOf(":");
  return { epoch: cursor.slice(0, colon), sequence: Number(cursor.slice(colon + 1)) };
};

/** The newest cursor of a replica's change log. */
export async function newestCursor(origin: string): Promise<{ epoch: string; sequence: number }> {
  const data = await graphql<{ resources: { sequence: string } }>(
    origin,
    "{ resources(first: 0) { sequence } }",
  );
  return cursorParts(data.resources.sequence);
}

/**
 * Every change a watcher commits from a time on, read from its own change log (Query.changes) as it
 * grows: each with the `time` it was committed at, none lost to a busy subscriber. Read every
 * `everyMs` while the window lasts, so that a window longer than the log retains (its byte budget,
 * under fast churn) is still read whole; without a period, read once at the end.
 */
export class CommitReader {
  private readonly times = new Map<number, number>();
  private epoch = "";
  private since: string | undefined;
  private reading: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly origin: string,
    private readonly from: number,
    everyMs?: number,
  ) {
    if (everyMs !== undefined) this.timer = setInterval(() => this.readLater(), everyMs);
  }

  private readLater(): void {
    this.reading = this.reading
      .then(() => this.readNew())
      .catch((error: unknown) => {
        this.failure ??= error;
      });
  }

  /** Pages of the log past what was read, to its end. */
  private async readNew(): Promise<void> {
    for (;;) {
      const page: {
        changes: {
          changes: { sequence: string; time: string; type: string }[];
          complete: boolean;
          hasMore: boolean;
          next: string;
        };
      } = await graphql(
        this.origin,
        "query Commits($since: String, $sinceTime: String) { changes(first: 1000, since: $since, sinceTime: $sinceTime) { changes { sequence time type } complete hasMore next } }",
        this.since === undefined ? { sinceTime: new Date(this.from).toISOString() } : { since: this.since },
      );
      const { changes, complete, hasMore, next } = page.changes;
      if (!complete) throw new Error(`${this.origin} no longer holds every change since the last read`);
      for (const change of changes) {
        const time = Date.parse(change.time);
        if (change.type === "RESYNC" || time < this.from) continue;
        const cursor = cursorParts(change.sequence);
        this.epoch = cursor.epoch;
        this.times.set(cursor.sequence, time);
      }
      this.since = next;
      if (!hasMore) return;
    }
  }

  /** Stops reading as the log grows and returns what was committed in [from, to]. */
  async until(to: number): Promise<Commits> {
    clearInterval(this.timer);
    await this.reading;
    if (this.failure !== undefined) throw this.failure;
    await this.readNew();
    const times = new Map<number, number>();
    for (const [sequence, time] of this.times) if (time <= to) times.set(sequence, time);
    return { epoch: this.epoch, times };
  }
}

/** Every change a watcher committed in [from, to], read back from its change log once the window is over. */
export function commitsBetween(origin: string, from: number, to: number): Promise<Commits> {
  return new CommitReader(origin, from).until(to);
}

export interface DeliveryReport {
  /** Changes the committing watcher made whose commit time lies in the window. */
  changesInWindow: number;
  subscribers: number;
  /** Deliveries to the measured subscribers that arrived within the window. */
  deliveriesInWindow: number;
  /** subscribers × changesInWindow */
  expected: number;
  /** Of `expected`, how many had not arrived when the report was made. */
  missing: number;
  /** Commit (the committing watcher's `time`) to arrival, over `expected`; null past the missing ones. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /**
   * The `time` a measured subscriber was handed minus the committing watcher's for the same cursor: 0
   * where the subscriber is on the watcher, the watcher-to-gateway hop where a gateway stamps its own.
   */
  stampAfterCommitP50Ms: number;
  stampAfterCommitP99Ms: number;
  /** Last arrival of a window change after the window's end. */
  drainMs: number;
  resyncs: number;
  /** Cursors that did not follow the one before on the same subscription. */
  gaps: number;
  /** Subscribers whose cursors carry an epoch other than the committing watcher's. */
  foreignCursors: number;
  errors: number;
  closed: number;
}

/**
 * Subscribers of every change over raw graphql-transport-ws sockets, one subscription a socket. Each
 * delivery is parsed only as far as its cursor and time, so that reading costs the client as little
 * as possible; its arrival is measured against the commit times a Commits holds.
 */
export class ChangeSubscribers {
  private readonly subscribers: Subscriber[] = [];
  private readonly sockets: WebSocket[] = [];
  private readonly sequences = new Column();
  private readonly arrivals = new Column();
  private readonly stamps = new Column();
  private deliveries = 0;
  /** Cursor number → deliveries of it. */
  private readonly counts = new Column();
  private resyncs = 0;
  private gaps = 0;
  private errors = 0;
  private closed = 0;
  private foreign = 0;

  /** Opens `counts[i]` subscribers on `origins[i]`. */
  async open(origins: readonly string[], counts: readonly number[]): Promise<void> {
    const targets = origins.flatMap((origin, index) => Array.from({ length: counts[index]! }, () => origin));
    // In waves, as clients arrive: a server refuses upgrades (503) past its bound on connections that
    // have not yet had connection_ack (maxUnauthenticatedConnections, 64 by default).
    for (let first = 0; first < targets.length; first += connectWave) {
      await Promise.all(
        targets.slice(first, first + connectWave).map((origin) => {
          const subscriber: Subscriber = { epoch: undefined, last: 0 };
          this.subscribers.push(subscriber);
          return this.connect(origin, (text) => this.onDelivery(subscriber, text));
        }),
      );
    }
  }

  private connect(origin: string, onChange: (text: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${origin.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
      this.sockets.push(socket);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no connection_ack from ${origin} within 30 s`));
      }, 30_000);
      // Kept for the socket's life: an error event with no listener would end the process.
      socket.on("error", (error) => {
        this.errors++;
        clearTimeout(timer);
        reject(error);
      });
      socket.on("open", () => socket.send('{"type":"connection_init"}'));
      socket.on("close", () => {
        this.closed++;
      });
      let acked = false;
      socket.on("message", (data) => {
        const text = String(data);
        if (acked) return onChange(text);
        acked = true;
        clearTimeout(timer);
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: document } }));
        resolve();
      });
    });
  }

  private onDelivery(subscriber: Subscriber, text: string): void {
    const at = Date.now();
    const parsed = this.parse(text);
    if (parsed === undefined) return;
    const { epoch, sequence, time } = parsed;
    subscriber.epoch ??= epoch;
    if (epoch !== subscriber.epoch) this.foreign++;
    if (subscriber.last !== 0 && sequence !== subscriber.last + 1) this.gaps++;
    subscriber.last = sequence;
    const row = this.deliveries++;
    this.sequences.grow(row);
    this.arrivals.grow(row);
    this.stamps.grow(row);
    this.sequences.values[row] = sequence;
    this.arrivals.values[row] = at;
    this.stamps.values[row] = time;
    this.counts.grow(sequence);
    this.counts.values[sequence]!++;
  }

  /** The cursor's epoch and number and the change's time; undefined for anything but a change. */
  private parse(text: string): { epoch: string; sequence: number; time: number } | undefined {
    const mark = text.indexOf('"sequence":"');
    if (mark < 0) {
      if (text.includes('"type":"error"')) this.errors++;
      return undefined;
    }
    if (text.includes('"type":"RESYNC"')) {
      this.resyncs++;
      return undefined;
    }
    const start = mark + 12;
    const end = text.indexOf('"', start);
    const colon = text.lastIndexOf(":", end);
    const timeStart = text.indexOf('"time":"', end) + 8;
    return {
      epoch: text.slice(start, colon),
      sequence: Number(text.slice(colon + 1, end)),
      time: Date.parse(text.slice(timeStart, text.indexOf('"', timeStart))),
    };
  }

  /** Waits until every subscriber has had change `sequence` or a later one: all are live and caught up. */
  async past(sequence: number, timeoutMs: number): Promise<void> {
    await until(
      async () => this.subscribers.every((s) => s.last >= sequence),
      timeoutMs,
      `every subscriber past change ${sequence}`,
    );
  }

  /** Whether every change of `commits` has reached every subscriber. */
  drained(commits: Commits): boolean {
    const counts = this.counts.values;
    for (const n of commits.times.keys()) if ((counts[n] ?? 0) < this.subscribers.length) return false;
    return true;
  }

  /** What arrived of the changes `commits` holds, committed in [from, to]. */
  report(from: number, to: number, commits: Commits): DeliveryReport {
    const times = commits.times;
    const subscribers = this.subscribers.length;
    const expected = times.size * subscribers;
    let missing = 0;
    for (const n of times.keys()) missing += Math.max(0, subscribers - (this.counts.values[n] ?? 0));
    const latencies = new Float64Array(this.deliveries);
    const stampDelays = new Float64Array(this.deliveries);
    let measured = 0;
    let deliveriesInWindow = 0;
    let lastArrival = to;
    for (let row = 0; row < this.deliveries; row++) {
      const arrival = this.arrivals.values[row]!;
      if (arrival >= from && arrival <= to) deliveriesInWindow++;
      const committed = times.get(this.sequences.values[row]!);
      if (committed === undefined) continue;
      latencies[measured] = arrival - committed;
      stampDelays[measured] = this.stamps.values[row]! - committed;
      measured++;
      lastArrival = Math.max(lastArrival, arrival);
    }
    // Typed arrays sort by number, without a comparator.
    const sortedLatencies = latencies.subarray(0, measured).sort();
    const sortedStampDelays = stampDelays.subarray(0, measured).sort();
    // Deliveries still missing count as slower than any that came: a percentile among them is unknown.
    const percentile = (p: number): number | null => {
      if (expected === 0) return null;
      const index = Math.min(expected - 1, Math.ceil((p / 100) * expected) - 1);
      return index < sortedLatencies.length ? sortedLatencies[index]! : null;
    };
    const of = (sorted: Float64Array, p: number) =>
      sorted.length === 0
        ? 0
        : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    return {
      changesInWindow: times.size,
      subscribers,
      deliveriesInWindow,
      expected,
      missing,
      p50Ms: percentile(50),
      p99Ms: percentile(99),
      maxMs: missing > 0 ? null : percentile(100),
      stampAfterCommitP50Ms: of(sortedStampDelays, 50),
      stampAfterCommitP99Ms: of(sortedStampDelays, 99),
      drainMs: Math.round(lastArrival - to),
      resyncs: this.resyncs,
      gaps: this.gaps,
      foreignCursors:
        this.foreign +
        this.subscribers.filter((s) => s.epoch !== undefined && s.epoch !== commits.epoch).length,
      errors: this.errors,
      closed: this.closed,
    };
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
  }
}
