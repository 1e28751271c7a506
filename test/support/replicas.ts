// Replication end to end: a simulated cluster, watchers that publish it to a JetStream change stream
// (one leading at a time when they elect), gateways that build their graph from the stream, what each
// replica says of itself (Query.replica), the Lease they elect over, and the change stream as it is.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { startSimulator } from "@meshsync/sim";
import { type RunningChurn, startChurn } from "@meshsync/sim/churn";
import { eventually } from "@meshsync/testing";
import {
  type Consumer,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
  type StreamInfo,
} from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { parse } from "graphql";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { streamEpoch } from "../../src/outputs/index.js";
import {
  FollowChangesDocument,
  type FollowChangesSubscription,
  ListObjectsDocument,
  type ListObjectsQuery,
} from "../generated/graphql.js";
import { difference, graphState, type State } from "./change-follower.js";
import { queryData, type Subscription, subscribe } from "./graphql-client.js";
import type { NatsServer } from "./nats-server.js";
import { type RunningProcess, startMeshsync, tempDir } from "./processes.js";
import { simTruth } from "./sim-truth.js";

/**
 * The election timings of the replication tests, as flags and in milliseconds: short enough for a
 * test, long enough that a leader on a machine busy with the rest of the suite still renews (a renewal
 * is given half the renew deadline).
 */
export const election = {
  leaseDurationMs: 6_000,
  renewDeadlineMs: 4_000,
  retryPeriodMs: 1_000,
  flags: ["--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s"],
} as const;

/**
 * How fast the simulator changes the cluster in these tests (churn steps, of a few writes each). At 100
 * or 200 a second the simulator, busy with a watcher's list of every type, answers a Lease request
 * more than a second late on a loaded two-core machine: that is the elector's attempt timeout with the
 * short timings, so the leader would lose the Lease for the simulator's slowness, not for anything
 * under test.
 */
export const churnPerSecond = 50;

/** Where the watchers' Lease lives: the sim kubeconfig's context namespace, and the default name. */
export const leaseNamespace = "default";
export const leaseName = "meshsync";

// ---------------------------------------------------------------------------------------------------
// The simulated cluster

export interface Simulator {
  /** The simulator's API address, e.g. http://127.0.0.1:41913 */
  readonly origin: string;
  /** The kubeconfig it hands out (YAML), which carries no credentials. */
  readonly kubeconfig: string;
  close(): Promise<void>;
}

/** A simulator whose changes the test starts and stops, so that the replicas can be compared with it at rest. */
export interface ChurningSimulator extends Simulator {
  /** Starts changing the cluster at about `perSecond` changes a second; a churn already running goes on. */
  startChurn(perSecond: number, seed: number): void;
  /** Stops the changes; resolves once none is being made. */
  stopChurn(): void;
  /** Creates, updates and deletes the churn has made so far, over every start. */
  readonly churned: number;
}

/**
 * The simulator in this process, so that the test can start and stop its churn, which `meshsync sim`
 * cannot: a replica can be compared with the cluster exactly only once the cluster is at rest, and a
 * leader's first sync must not run under churn (see churnPerSecond). Every meshsync replica still
 * reaches it over HTTP, as it would a real API server.
 */
export async function startChurningSimulator(scenarioSeed: number): Promise<ChurningSimulator> {
  const sim = await startSimulator({ scenario: "demo", seed: scenarioSeed });
  let churn: RunningChurn | undefined;
  let before = 0;
  const count = (running: RunningChurn) =>
    running.stats.creates + running.stats.updates + running.stats.deletes;
  const churning: ChurningSimulator = {
    origin: sim.url,
    kubeconfig: sim.kubeconfig(),
    startChurn(perSecond, seed) {
      churn ??= startChurn(sim.api, perSecond, seed);
    },
    stopChurn() {
      if (churn === undefined) return;
      churn.stop();
      before += count(churn);
      churn = undefined;
    },
    get churned() {
      return before + (churn === undefined ? 0 : count(churn));
    },
    async close() {
      churning.stopChurn();
      await sim.close();
    },
  };
  return churning;
}

/** POST /sim/faults: one fault, e.g. a partition or a heal. */
export async function simFault(sim: Simulator, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sim.origin}/sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`POST /sim/faults ${JSON.stringify(fault)}: ${response.status}`);
}

/** The bearer token a watcher's kubeconfig carries, so that a partition can single it out. */
export function tokenOf(identity: string): string {
  return `replica-${identity}`;
}

/** A copy of the simulator's kubeconfig whose every user sends `token`; returns its path. */
export function kubeconfigWithToken(sim: Simulator, token: string): string {
  const config = parseYaml(sim.kubeconfig) as { users?: { name: string; user?: Record<string, unknown> }[] };
  for (const user of config.users ?? []) user.user = { ...user.user, token };
  const file = join(tempDir("meshsync-replica-"), "kubeconfig");
  writeFileSync(file, stringifyYaml(config), { mode: 0o600 });
  return file;
}

export interface LeaseView {
  uid: string;
  resourceVersion: string;
  holderIdentity: string | undefined;
  leaseTransitions: number;
}

/** The watchers' Lease as the simulator holds it; undefined before anyone created it. */
export async function readLease(sim: Simulator): Promise<LeaseView | undefined> {
  const response = await fetch(
    `${sim.origin}/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases/${leaseName}`,
  );
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET lease ${leaseNamespace}/${leaseName}: ${response.status}`);
  const lease = (await response.json()) as {
    metadata: { uid: string; resourceVersion: string };
    spec?: { holderIdentity?: string; leaseTransitions?: number };
  };
  return {
    uid: lease.metadata.uid,
    resourceVersion: lease.metadata.resourceVersion,
    holderIdentity: lease.spec?.holderIdentity,
    leaseTransitions: lease.spec?.leaseTransitions ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------
// meshsync replicas

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when this process saw it exit: at or after the exit itself. */
  at: number;
}

export interface Replica {
  /** The watcher's identity, or the gateway's name in this test. */
  readonly name: string;
  readonly kind: "watcher" | "gateway";
  readonly process: RunningProcess;
  readonly graphqlUrl: string;
  /** Set once the process has exited and its output is complete. */
  readonly exit: ProcessExit | undefined;
  /** Resolves once the process has exited and its output is complete. */
  readonly exited: Promise<ProcessExit>;
  /** SIGKILL, as a crash; resolves once it has exited. */
  kill(): Promise<ProcessExit>;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    let exit: ProcessExit | undefined =
      child.exitCode !== null || child.signalCode !== null
        ? { code: child.exitCode, signal: child.signalCode, at: Date.now() }
        : undefined;
    if (exit === undefined)
      child.once("exit", (code, signal) => {
        exit = { code, signal, at: Date.now() };
      });
    // "close" comes after the last output has been read: the logs are whole by then.
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) =>
      resolve(exit ?? { code, signal, at: Date.now() }),
    );
  });
}

function replicaOf(name: string, kind: Replica["kind"], process: RunningProcess): Replica {
  let exit: ProcessExit | undefined;
  const exited = exitOf(process.child).then((value) => {
    exit = value;
    return value;
  });
  return {
    name,
    kind,
    process,
    graphqlUrl: `${process.origin}/graphql`,
    get exit() {
      return exit;
    },
    exited,
    async kill() {
      if (exit === undefined) process.child.kill("SIGKILL");
      return exited;
    },
    async stop() {
      await process.stop();
      await exited;
    },
  };
}

export interface WatcherOptions {
  /** Elect a leader over the Lease (--leader-elect with the short timings). */
  leaderElect: boolean;
  /** More flags. */
  args?: string[];
}

/**
 * `meshsync serve --to-nats` on the simulator, with a kubeconfig of its own whose bearer token is
 * tokenOf(identity). Resolves once it listens (a standby listens once it follows the stream).
 */
export async function startWatcher(
  sim: Simulator,
  nats: NatsServer,
  identity: string,
  options: WatcherOptions,
): Promise<Replica> {
  const kubeconfig = kubeconfigWithToken(sim, tokenOf(identity));
  const electing = options.leaderElect ? ["--leader-elect", "--identity", identity, ...election.flags] : [];
  const process = await startMeshsync(
    [
      "serve",
      "--port",
      "0",
      "--kubeconfig",
      kubeconfig,
      "--to-nats",
      nats.url,
      ...electing,
      ...(options.args ?? []),
    ],
    { MESHSYNC_LOG_FORMAT: "json" },
  );
  return replicaOf(identity, "watcher", process);
}

/** `meshsync serve --from-nats`: resolves once it listens, which it does once it follows a stream. */
export async function startGateway(nats: NatsServer, name: string, args: string[] = []): Promise<Replica> {
  const process = await startMeshsync(["serve", "--port", "0", "--from-nats", nats.url, ...args], {
    MESHSYNC_LOG_FORMAT: "json",
  });
  return replicaOf(name, "gateway", process);
}

/** Waits for /readyz to answer 200. */
export async function untilReady(replica: Replica, timeoutMs = 60_000): Promise<void> {
  let last = "no answer";
  await eventually(
    async () => {
      const response = await fetch(`${replica.process.origin}/readyz`);
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
      return response.status === 200;
    },
    timeoutMs,
    `${replica.name} ready`,
    200,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; /readyz last said: ${last}`);
  });
}

export type ReplicaRole = "SINGLE" | "LEADER" | "STANDBY" | "GATEWAY";

/** Query.replica as a replica reports it. */
export interface ReplicaView {
  role: ReplicaRole;
  identity: string | null;
  leader: string | null;
  leaseTransitions: number | null;
  leadingSince: string | null;
  streams: string[];
  lag: { changes: number; seconds: number } | null;
}

const replicaDocument = parse(`
  query Replica {
    replica { role identity leader leaseTransitions leadingSince streams lag { changes seconds } }
  }
`) as TypedDocumentNode<{ replica: ReplicaView }, Record<string, never>>;

export async function replicaView(replica: Replica): Promise<ReplicaView> {
  return (await queryData(replica.graphqlUrl, replicaDocument, {})).replica;
}

/** The one watcher that reports LEADER while every other live one reports STANDBY. */
export async function untilOneLeader(watchers: Replica[], timeoutMs = 60_000): Promise<Replica> {
  let roles = "";
  let leader: Replica | undefined;
  await eventually(
    async () => {
      const live = watchers.filter((watcher) => watcher.exit === undefined);
      const views = await Promise.all(live.map((watcher) => replicaView(watcher).catch(() => undefined)));
      roles = live.map((watcher, i) => `${watcher.name}: ${views[i]?.role ?? "no answer"}`).join(", ");
      const leaders = live.filter((_watcher, i) => views[i]?.role === "LEADER");
      const standbys = views.filter((view) => view?.role === "STANDBY");
      if (leaders.length !== 1 || standbys.length !== live.length - 1) return false;
      leader = leaders[0];
      return true;
    },
    timeoutMs,
    "one leader and standbys",
    100,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; roles last seen: ${roles}`);
  });
  return leader!;
}

// ---------------------------------------------------------------------------------------------------
// The change stream

export interface StreamMessage {
  /** The stream sequence. */
  seq: number;
  subject: string;
  msgId: string;
  /** From the message id `<epoch>-<sequence>-<writer>`. */
  idEpoch: string;
  idSequence: number;
  writer: string;
  /** The message body's own sequence. */
  sequence: number;
  type: string;
  uid: string;
  resourceVersion: string;
}

export interface ChangeStreamContents {
  name: string;
  /** The cursor epoch every replica must hand out for this stream. */
  epoch: string;
  firstSeq: number;
  lastSeq: number;
  /** Every message from firstSeq to lastSeq as read, in order. */
  messages: StreamMessage[];
}

const messageId = /^([^-]+)-(\d+)-(.+)$/;

function streamMessageOf(message: JsMsg): StreamMessage {
  const msgId = message.headers?.get("Nats-Msg-Id") ?? "";
  const id = messageId.exec(msgId);
  const body = message.json<{
    sequence: number;
    type: string;
    object: { metadata: { uid: string; resourceVersion?: string } };
  }>();
  return {
    seq: message.seq,
    subject: message.subject,
    msgId,
    idEpoch: id?.[1] ?? "",
    idSequence: Number(id?.[2] ?? Number.NaN),
    writer: id?.[3] ?? "",
    sequence: body.sequence,
    type: body.type,
    uid: body.object.metadata.uid,
    resourceVersion: body.object.metadata.resourceVersion ?? "",
  };
}

function isChangeStream(info: StreamInfo): boolean {
  return info.config.name.startsWith("MESHSYNC_") && !info.config.name.endsWith("_SNAPSHOT");
}

/** Rejects, naming what was waited for, unless the promise settles within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Messages asked for per fetch, and how long one fetch may take before it is given up and made again. */
const fetchBatch = 1_000;
const fetchTimeoutMs = 5_000;

/**
 * Reads the server's one replication change stream, every message up to its end as of now. Each step
 * is bounded; a fetch that stalls is given up, and reading goes on from the next message with a new
 * consumer.
 */
export async function readChangeStream(nats: NatsServer, timeoutMs = 30_000): Promise<ChangeStreamContents> {
  const end = Date.now() + timeoutMs;
  const nc = await connect({ servers: nats.url, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const found: StreamInfo[] = [];
    await within(
      (async () => {
        for await (const info of jsm.streams.list()) if (isChangeStream(info)) found.push(info);
      })(),
      10_000,
      "listing the streams",
    );
    if (found.length !== 1)
      throw new Error(
        `expected one change stream, found ${found.map((info) => info.config.name).join(", ")}`,
      );
    const info = found[0]!;
    const name = info.config.name;
    const { first_seq: firstSeq, last_seq: lastSeq } = info.state;
    const messages: StreamMessage[] = [];
    const js = jetstream(nc, { timeout: 5_000 });
    let read = firstSeq - 1;
    let stalls = 0;
    let consumer: Consumer | undefined;
    while (read < lastSeq) {
      if (Date.now() > end)
        throw new Error(
          `read the change stream ${name} up to ${read} of ${lastSeq} in ${timeoutMs} ms (${stalls} stalled fetches)`,
        );
      consumer ??= await within(
        js.consumers.get(name, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: read + 1 }),
        fetchTimeoutMs,
        `a consumer of ${name} from ${read + 1}`,
      );
      const batch = await within(
        consumer.fetch({ max_messages: Math.min(fetchBatch, lastSeq - read), expires: 2_000 }),
        fetchTimeoutMs,
        `a fetch from ${name} at ${read + 1}`,
      );
      const before = read;
      const stalled = await within(
        (async () => {
          for await (const message of batch) {
            if (message.seq > lastSeq || message.seq <= read) continue;
            messages.push(streamMessageOf(message));
            read = message.seq;
          }
        })(),
        fetchTimeoutMs,
        `the messages of a fetch from ${name} at ${before + 1}`,
      ).then(
        () => read === before,
        () => true,
      );
      if (stalled) {
        // Given up: the next fetch goes to a new consumer from the first message not read.
        batch.stop();
        stalls++;
        const given = consumer;
        consumer = undefined;
        await given.delete().catch(() => undefined);
      }
    }
    return { name, epoch: streamEpoch(name, info.created), firstSeq, lastSeq, messages };
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** What is wrong with the stream's numbering: sequences not 1..N in order, ids repeated or not matching. */
export function streamNumberingProblems(stream: ChangeStreamContents): string[] {
  const problems: string[] = [];
  if (stream.firstSeq !== 1) problems.push(`the stream starts at ${stream.firstSeq}`);
  if (stream.messages.length !== stream.lastSeq - stream.firstSeq + 1)
    problems.push(`${stream.messages.length} messages for sequences ${stream.firstSeq}..${stream.lastSeq}`);
  const ids = new Set<string>();
  let previous = stream.firstSeq - 1;
  for (const message of stream.messages) {
    if (message.seq !== previous + 1) problems.push(`stream sequence ${message.seq} after ${previous}`);
    previous = message.seq;
    if (message.sequence !== message.seq)
      problems.push(`message ${message.seq} says sequence ${message.sequence}`);
    if (message.idSequence !== message.seq || message.idEpoch !== stream.epoch)
      problems.push(`message ${message.seq} has id ${message.msgId} (epoch ${stream.epoch})`);
    if (ids.has(message.msgId)) problems.push(`message id ${message.msgId} repeated at ${message.seq}`);
    ids.add(message.msgId);
  }
  return problems.slice(0, 20);
}

/** The writers of the stream in the order they wrote, one entry per run of messages: [writer, count]. */
export function writerRuns(stream: ChangeStreamContents): [string, number][] {
  const runs: [string, number][] = [];
  for (const message of stream.messages) {
    const last = runs.at(-1);
    if (last !== undefined && last[0] === message.writer) last[1]++;
    else runs.push([message.writer, 1]);
  }
  return runs;
}

/** uid → resourceVersion the stream's changes add up to. */
export function streamState(stream: ChangeStreamContents): State {
  const state: State = new Map();
  for (const message of stream.messages) {
    if (message.type === "DELETED") state.delete(message.uid);
    else state.set(message.uid, message.resourceVersion);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------
// What a client sees

/** The change-log position a replica answers a query at: its cursor's epoch and sequence. */
export async function cursorOf(replica: Replica): Promise<{ epoch: string; sequence: number }> {
  const { resources } = await queryData(replica.graphqlUrl, ListObjectsDocument, { first: 0 });
  const at = resources.sequence.lastIndexOf(":");
  return { epoch: resources.sequence.slice(0, at), sequence: Number(resources.sequence.slice(at + 1)) };
}

/** uid → resourceVersion of everything a replica's graph holds. */
export function graphStateOf(replica: Replica): Promise<State> {
  return graphState(replica.graphqlUrl);
}

/** uid → resourceVersion of what the simulator holds (what meshsync syncs), without the uids left out. */
export async function truthState(sim: Simulator, leaveOut: ReadonlySet<string> = new Set()): Promise<State> {
  const state: State = new Map();
  for (const [uid, object] of await simTruth(sim.origin))
    if (!leaveOut.has(uid)) state.set(uid, object.resourceVersion);
  return state;
}

export function without(state: State, leaveOut: ReadonlySet<string>): State {
  return new Map([...state].filter(([uid]) => !leaveOut.has(uid)));
}

export interface ReceivedChange {
  sequence: number;
  type: string;
  uid: string;
  resourceVersion: string;
  /** The replica it came from. */
  via: string;
}

/**
 * A client that lists every object of a replica, follows resourceChanges from the list's sequence,
 * and can move to another replica, resuming from the last sequence it saw. It keeps what the list
 * and the changes add up to (by resourceVersion, since pages are read after the list's sequence), and
 * notes any sequence that does not follow the one before, across moves too.
 */
export class CursorFollower {
  readonly received: ReceivedChange[] = [];
  readonly problems: string[] = [];
  /** The sequence the list was read at: the changes after it are the ones this client follows. */
  startedAfter = 0;
  private epoch = "";
  private last = 0;
  private readonly objects = new Map<string, number>();
  private readonly deletedAt = new Map<string, number>();
  private subscription: Subscription<FollowChangesSubscription> | undefined;
  private loop: Promise<void> | undefined;
  private closing = false;

  /** The last sequence seen, as a cursor for `since`. */
  get cursor(): string {
    return `${this.epoch}:${this.last}`;
  }

  get lastSequence(): number {
    return this.last;
  }

  get state(): State {
    return new Map([...this.objects].map(([uid, rv]) => [uid, String(rv)]));
  }

  /** Lists every object of the replica, then follows its changes from the list's sequence. */
  async start(replica: Replica): Promise<void> {
    let after: string | null = null;
    let sequence: string | undefined;
    for (;;) {
      const page: ListObjectsQuery = await queryData(replica.graphqlUrl, ListObjectsDocument, {
        first: 1000,
        after,
      });
      sequence ??= page.resources.sequence;
      for (const edge of page.resources.edges)
        this.apply(edge.node.uid, Number(edge.node.resourceVersion), false);
      if (!page.resources.pageInfo.hasNextPage) break;
      after = page.resources.pageInfo.endCursor ?? null;
    }
    if (sequence === undefined) throw new Error(`${replica.name} answered no list`);
    this.epoch = sequence.slice(0, sequence.lastIndexOf(":"));
    this.last = Number(sequence.slice(sequence.lastIndexOf(":") + 1));
    this.startedAfter = this.last;
    this.follow(replica);
  }

  /** Follows the replica's changes from the last sequence seen. */
  follow(replica: Replica): void {
    if (this.subscription !== undefined) throw new Error("already following");
    this.closing = false;
    const subscription = subscribe(replica.graphqlUrl, FollowChangesDocument, { since: this.cursor });
    this.subscription = subscription;
    this.loop = this.read(subscription, replica.name);
  }

  private async read(subscription: Subscription<FollowChangesSubscription>, via: string): Promise<void> {
    for (;;) {
      let event: FollowChangesSubscription;
      try {
        event = await subscription.next(Number.POSITIVE_INFINITY);
      } catch (error) {
        if (!this.closing) this.problems.push(`subscription on ${via} failed: ${String(error)}`);
        return;
      }
      if (this.closing) return;
      const change = event.resourceChanges;
      const at = change.sequence.lastIndexOf(":");
      const epoch = change.sequence.slice(0, at);
      const sequence = Number(change.sequence.slice(at + 1));
      if (epoch !== this.epoch) this.problems.push(`epoch ${epoch} from ${via}, not ${this.epoch}`);
      if (sequence !== this.last + 1) this.problems.push(`sequence ${sequence} after ${this.last} (${via})`);
      this.last = sequence;
      if (change.type === "RESYNC" || !change.resource) {
        this.problems.push(`${change.type} at ${sequence} from ${via}`);
        continue;
      }
      const { uid, resourceVersion } = change.resource;
      this.received.push({ sequence, type: change.type, uid, resourceVersion, via });
      this.apply(uid, Number(resourceVersion), change.type === "DELETED");
    }
  }

  private apply(uid: string, rv: number, gone: boolean): void {
    const known = Math.max(this.objects.get(uid) ?? 0, this.deletedAt.get(uid) ?? 0);
    if (rv < known) return;
    if (gone) {
      this.objects.delete(uid);
      this.deletedAt.set(uid, rv);
    } else this.objects.set(uid, rv);
  }

  /** Stops following; returns the last sequence seen. */
  async pause(): Promise<number> {
    this.closing = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    await this.loop;
    return this.last;
  }
}

// ---------------------------------------------------------------------------------------------------
// Failure messages

const outputTailChars = 4_000;

/** The last of each process's output, for a failure message. */
export function describeProcesses(replicas: readonly Replica[], nats: NatsServer | undefined): string {
  const parts: string[] = [];
  for (const replica of replicas) {
    const exit =
      replica.exit === undefined ? "running" : `exited ${replica.exit.code ?? replica.exit.signal}`;
    parts.push(
      `--- ${replica.kind} ${replica.name} (${exit}) ---\n${replica.process.output().slice(-outputTailChars)}`,
    );
  }
  if (nats !== undefined) parts.push(`--- nats-server ---\n${nats.output().slice(-outputTailChars)}`);
  return parts.join("\n");
}

/** Runs a test's body; a failure carries the output of every process it started. */
export async function explained(body: () => Promise<void>, describe: () => string): Promise<void> {
  try {
    await body();
  } catch (error) {
    const details = `\n\nprocesses:\n${describe()}`;
    if (error instanceof Error) {
      error.message += details;
      throw error;
    }
    throw new Error(`${String(error)}${details}`);
  }
}

/**
 * Waits until every picture equals the truth, each read anew; fails with what still differs. The
 * truth is read anew each time too, since the cluster may still be settling.
 */
export async function untilEqual(
  what: string,
  truth: () => Promise<State>,
  pictures: Record<string, () => State | Promise<State>>,
  timeoutMs = 45_000,
): Promise<void> {
  let differing: string[] = [];
  await eventually(
    async () => {
      const expected = await truth();
      differing = [];
      for (const [name, read] of Object.entries(pictures))
        for (const line of difference(expected, await read()).slice(0, 5)) differing.push(`${name}: ${line}`);
      return differing.length === 0;
    },
    timeoutMs,
    what,
    250,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nstill different: ${differing.slice(0, 20).join("; ")}`);
  });
}

/**
 * Elected watchers, started one at a time, each ready before the next: a starting process (which may
 * compile its sources) and a first sync under churn load the two cores enough to make a leader miss
 * its renew deadline, which is not what the tests that use this are about. Each is added to
 * `started` as soon as it runs, so that the caller stops it whatever happens next.
 */
export async function startElectedWatchers(
  sim: Simulator,
  nats: NatsServer,
  started: Replica[],
  identities: readonly string[] = ["watcher-a", "watcher-b"],
): Promise<Replica[]> {
  const watchers: Replica[] = [];
  for (const identity of identities) {
    const watcher = await startWatcher(sim, nats, identity, { leaderElect: true });
    started.push(watcher);
    watchers.push(watcher);
    await untilReady(watcher);
  }
  return watchers;
}
