// Leader election over a coordination.k8s.io/v1 Lease, by the rules of client-go's
// tools/leaderelection: a standby judges the holder's expiry by its own clock, from when it last saw
// the record change (never by the record's timestamps, which come from another machine's clock),
// takes the Lease with an update conditional on the resourceVersion it read, and the leader renews
// every retry period.
//
// Fencing: the leader steps down renewDeadline after SENDING its last successful write, on a timer of
// its own that no hung request can hold up. Its write reached the server after it was sent, so every
// standby saw it later still, and waits the whole lease duration from then; the lease duration is
// longer than the renew deadline, so the old leader has stopped before anyone else can start.
import {
  dns1123LabelMaxLength,
  dns1123SubdomainMaxLength,
  isDNS1123Label,
  isDNS1123Subdomain,
} from "@meshsync/k8s";
import { errorText, KubeApiError } from "./errors.js";
import type { KubeRequester } from "./http-client.js";
import {
  type LeaseRecord,
  leaseBody,
  leaseCollectionPath,
  leaseFromObject,
  leasePath,
  microTime,
  recordKey,
  type StoredLease,
} from "./lease-record.js";
import { type Logger, silentLogger } from "./logger.js";

export interface LeaderElectionOptions {
  requester: KubeRequester;
  /** The Lease's namespace and name. */
  namespace: string;
  name: string;
  /** What this replica writes as holderIdentity; unique among the replicas. */
  identity: string;
  /** How long a standby waits, from when it saw the record change, before taking the Lease. */
  leaseDurationMs?: number;
  /** How long the leader keeps leading without a successful renewal. */
  renewDeadlineMs?: number;
  /** How often the leader renews and a standby tries to acquire. */
  retryPeriodMs?: number;
  /**
   * The clock, for tests. By default timestamps come from the wall clock and every interval from a
   * monotonic one, so a wall-clock step can neither stretch nor cut the renew deadline.
   */
  now?: () => number;
  logger?: Logger;
  onStartedLeading?: () => void;
  /** Called synchronously, at once, when leadership is lost (including by stop()). */
  onStoppedLeading?: (reason: string) => void;
  /** Called when the holder seen changes; undefined when no one holds the Lease. */
  onNewLeader?: (identity: string | undefined) => void;
}

/** "stopped" once stop() was called or leadership was lost: an elector leads at most once. */
export type LeaderRole = "leader" | "standby" | "stopped";

const DEFAULT_LEASE_DURATION_MS = 15_000;
const DEFAULT_RENEW_DEADLINE_MS = 10_000;
const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** A standby waits between retryPeriod and this many times it, so replicas do not move in step. */
const JITTER_FACTOR = 1.2;
// setTimeout holds at most 2^31-1 ms; a day is far past any sensible election and well inside that.
const MAX_DURATION_MS = 86_400_000;
const MAX_IDENTITY_LENGTH = 1024;
// A release is a courtesy to the next leader; shutting down must not wait long for it.
const MAX_RELEASE_TIMEOUT_MS = 2_000;
// A timer can fire a little before its time by the monotonic clock; aiming just past an expiry
// keeps a standby from finding the Lease a hair short of expired and waiting a whole period more.
const EXPIRY_MARGIN_MS = 5;

interface Attempt {
  controller: AbortController;
  done: Promise<void>;
}

export class LeaderElector {
  private readonly requester: KubeRequester;
  private readonly namespace: string;
  private readonly name: string;
  private readonly ownIdentity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  /** No request of an attempt outlives this; the leader's fence does not depend on it. */
  private readonly attemptTimeoutMs: number;
  private readonly wallClock: () => number;
  private readonly monotonic: () => number;
  private readonly logger: Logger;
  private readonly options: LeaderElectionOptions;
  private readonly context: { lease: string; identity: string };

  private currentRole: LeaderRole = "standby";
  private started = false;
  private stopping: Promise<void> | undefined;
  /** The Lease as last read or written: the basis of the next update. */
  private lease: StoredLease | undefined;
  /** Whether our own write is the last the server answered: a release is then worth sending. */
  private holdsLease = false;
  private observed: LeaseRecord | undefined;
  private observedKey: string | undefined;
  /** Monotonic time at which the record was last seen to change. */
  private observedAt = 0;
  private reportedLeader: string | undefined;
  private acquiredAt: number | undefined;
  /** Monotonic time by which a renewal must have succeeded, or the leader steps down. */
  private fenceDeadline = 0;
  private fenceTimer: NodeJS.Timeout | undefined;
  private nextTimer: NodeJS.Timeout | undefined;
  private inFlight: Attempt | undefined;
  private lastFailure: string | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.requester = options.requester;
    this.namespace = checkedName("namespace", options.namespace, isDNS1123Label, dns1123LabelMaxLength);
    this.name = checkedName("name", options.name, isDNS1123Subdomain, dns1123SubdomainMaxLength);
    if (
      typeof options.identity !== "string" ||
      options.identity.trim() === "" ||
      options.identity.length > MAX_IDENTITY_LENGTH
    ) {
      throw new RangeError(
        `leader election: identity must be 1-${MAX_IDENTITY_LENGTH} characters, not blank`,
      );
    }
    this.ownIdentity = options.identity;
    this.leaseDurationMs = checkedDuration(
      "leaseDurationMs",
      options.leaseDurationMs,
      DEFAULT_LEASE_DURATION_MS,
    );
    this.renewDeadlineMs = checkedDuration(
      "renewDeadlineMs",
      options.renewDeadlineMs,
      DEFAULT_RENEW_DEADLINE_MS,
    );
    this.retryPeriodMs = checkedDuration("retryPeriodMs", options.retryPeriodMs, DEFAULT_RETRY_PERIOD_MS);
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new RangeError(
        `leader election: leaseDurationMs (${this.leaseDurationMs}) must be greater than renewDeadlineMs (${this.renewDeadlineMs})`,
      );
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * JITTER_FACTOR) {
      throw new RangeError(
        `leader election: renewDeadlineMs (${this.renewDeadlineMs}) must be greater than retryPeriodMs × ${JITTER_FACTOR} (${this.retryPeriodMs * JITTER_FACTOR})`,
      );
    }
    this.attemptTimeoutMs = Math.max(this.retryPeriodMs, this.renewDeadlineMs / 2);
    this.wallClock = options.now ?? Date.now;
    this.monotonic = options.now ?? (() => performance.now());
    this.logger = options.logger ?? silentLogger;
    this.context = { lease: `${this.namespace}/${this.name}`, identity: this.ownIdentity };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.logger.info(this.context, "leader election: trying to acquire the lease");
    this.schedule(0);
  }

  /**
   * Stops; when leading, calls onStoppedLeading first and then releases the Lease (as client-go's
   * ReleaseOnCancel: no holder, leaseDurationSeconds 1), best-effort within a short timeout.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  get role(): LeaderRole {
    return this.currentRole;
  }

  get identity(): string {
    return this.ownIdentity;
  }

  /** The holder last observed (undefined when none). */
  get leader(): string | undefined {
    return this.observed?.holderIdentity;
  }

  /** leaseTransitions last observed. */
  get transitions(): number {
    return this.observed?.leaseTransitions ?? 0;
  }

  /** When the current leadership was acquired (epoch ms) or undefined. */
  get leadingSince(): number | undefined {
    return this.acquiredAt;
  }

  private async shutDown(): Promise<void> {
    const wasLeading = this.currentRole === "leader";
    this.started = true;
    this.currentRole = "stopped";
    this.clearTimers();
    const pending = this.inFlight;
    pending?.controller.abort(new Error("leader election stopped"));
    if (wasLeading) this.lostLeadership("the elector was stopped");
    await pending?.done;
    if (this.holdsLease) await this.release();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.nextTimer);
    this.nextTimer = setTimeout(() => guarded(() => this.runAttempt()), delayMs);
  }

  private runAttempt(): void {
    this.nextTimer = undefined;
    if (this.currentRole === "stopped") return;
    const controller = new AbortController();
    const timeout = setTimeout(() => {
      controller.abort(new Error(`no answer within ${this.attemptTimeoutMs} ms`));
    }, this.attemptTimeoutMs);
    const work =
      this.currentRole === "leader" ? this.renew(controller.signal) : this.tryAcquire(controller.signal);
    const done: Promise<void> = work
      .then(
        () => {
          this.lastFailure = undefined;
        },
        (error: unknown) => this.attemptFailed(error, controller.signal),
      )
      .finally(() => {
        clearTimeout(timeout);
        if (this.inFlight?.done === done) this.inFlight = undefined;
        if (this.currentRole !== "stopped") this.schedule(this.nextDelayMs());
      })
      .catch(() => {
        // Only a throwing logger gets here, and it cannot be told.
      });
    this.inFlight = { controller, done };
  }

  private nextDelayMs(): number {
    if (this.currentRole === "leader") return this.retryPeriodMs;
    const jittered = this.retryPeriodMs * (1 + Math.random() * (JITTER_FACTOR - 1));
    // A holder's expiry that falls inside the wait is when to look again, not a period later.
    if (this.observed?.holderIdentity !== undefined && this.observed.holderIdentity !== this.ownIdentity) {
      const untilExpiry = this.expiresAt() - this.monotonic() + EXPIRY_MARGIN_MS;
      if (untilExpiry > 0 && untilExpiry < jittered) return untilExpiry;
    }
    return jittered;
  }

  private attemptFailed(error: unknown, signal: AbortSignal): void {
    if (this.currentRole === "stopped") return;
    const text = signal.aborted ? errorText(signal.reason) : errorText(error);
    // The same failure every period is one problem, not a new one each time.
    const log = text === this.lastFailure ? this.logger.debug : this.logger.warn;
    log.call(this.logger, { ...this.context, error: text }, "leader election: attempt failed; retrying");
    this.lastFailure = text;
  }

  private async tryAcquire(signal: AbortSignal): Promise<void> {
    const current = await this.readLease(signal);
    if (this.currentRole !== "standby") return;
    if (current === undefined) {
      const sentAt = this.monotonic();
      const created = await this.writeUnlessRaced("POST", this.takenRecord(0), undefined, signal);
      if (created) this.acquired(sentAt, created);
      return;
    }
    this.observe(current);
    const holder = current.record.holderIdentity;
    if (holder !== undefined && holder !== this.ownIdentity && !this.observedExpired()) return;
    // Our own name on it (say, after a restart under the same identity) is ours to keep, as in client-go.
    const record =
      holder === this.ownIdentity
        ? this.renewedRecord(current.record)
        : this.takenRecord(current.record.leaseTransitions + 1);
    const sentAt = this.monotonic();
    const written = await this.writeUnlessRaced("PUT", record, current, signal);
    if (written) this.acquired(sentAt, written);
  }

  private acquired(sentAt: number, lease: StoredLease): void {
    this.lease = lease;
    this.holdsLease = true;
    this.observe(lease);
    if (this.currentRole !== "standby") return;
    const deadline = sentAt + this.renewDeadlineMs;
    if (this.monotonic() >= deadline) {
      // Too slow an answer to lead on: the next attempt renews it with a fresh deadline.
      this.logger.warn(this.context, "leader election: the lease was granted too late to lead on; retrying");
      return;
    }
    this.currentRole = "leader";
    this.acquiredAt = this.wallClock();
    this.armFence(deadline);
    this.logger.info(
      { ...this.context, transitions: lease.record.leaseTransitions },
      "leader election: started leading",
    );
    this.notify("onStartedLeading", () => this.options.onStartedLeading?.());
  }

  private async renew(signal: AbortSignal): Promise<void> {
    const basis = this.lease;
    if (basis === undefined) throw new Error("leading without a lease read");
    // Optimistically from our own last write, as client-go's fast path: one request when nothing changed.
    let sentAt = this.monotonic();
    try {
      this.renewed(sentAt, await this.write("PUT", this.renewedRecord(basis.record), basis, signal));
      return;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const current = await this.readLease(signal);
    if (this.currentRole !== "leader") return;
    if (current === undefined) {
      // A standby that saw it gone may be creating it now; leading on would risk two leaders.
      this.stepDown("the lease was deleted");
      return;
    }
    this.observe(current);
    if (current.record.holderIdentity !== this.ownIdentity) {
      this.stepDown(`the lease is now held by ${current.record.holderIdentity ?? "no one"}`);
      return;
    }
    sentAt = this.monotonic();
    this.renewed(sentAt, await this.write("PUT", this.renewedRecord(current.record), current, signal));
  }

  private renewed(sentAt: number, lease: StoredLease): void {
    // Kept even when no longer leading, so a release goes out against the newest version.
    this.lease = lease;
    if (this.currentRole !== "leader") return;
    // The answer may be handled after the deadline passed (a busy event loop), before the fence fired.
    if (this.monotonic() >= this.fenceDeadline) {
      this.stepDown(`no renewal succeeded within ${this.renewDeadlineMs} ms`);
      return;
    }
    this.observe(lease);
    if (lease.record.holderIdentity !== this.ownIdentity) {
      this.stepDown(`the lease is now held by ${lease.record.holderIdentity ?? "no one"}`);
      return;
    }
    this.armFence(sentAt + this.renewDeadlineMs);
  }

  private armFence(deadline: number): void {
    this.fenceDeadline = deadline;
    clearTimeout(this.fenceTimer);
    // Firing early is the safe side, so the timer alone decides.
    this.fenceTimer = setTimeout(
      () => guarded(() => this.stepDown(`no renewal succeeded within ${this.renewDeadlineMs} ms`)),
      Math.max(0, deadline - this.monotonic()),
    );
  }

  private stepDown(reason: string): void {
    if (this.currentRole !== "leader") return;
    this.currentRole = "stopped";
    this.clearTimers();
    this.inFlight?.controller.abort(new Error("stepped down"));
    this.lostLeadership(reason);
  }

  private lostLeadership(reason: string): void {
    this.acquiredAt = undefined;
    // The caller hears first: nothing, not even a failing logger, may stand between it and the news.
    this.notify("onStoppedLeading", () => this.options.onStoppedLeading?.(reason));
    this.logger.warn({ ...this.context, reason }, "leader election: stopped leading");
  }

  private clearTimers(): void {
    clearTimeout(this.fenceTimer);
    clearTimeout(this.nextTimer);
    this.fenceTimer = undefined;
    this.nextTimer = undefined;
  }

  private async release(): Promise<void> {
    const controller = new AbortController();
    const timeoutMs = Math.min(this.attemptTimeoutMs, MAX_RELEASE_TIMEOUT_MS);
    const timeout = setTimeout(
      () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      let basis = this.lease;
      // Our last write may be older than the server's copy (a renewal answered after we gave up on
      // it): one fresh read, and release only what still names us.
      for (let tries = 0; basis !== undefined && tries < 2; tries++) {
        const released: LeaseRecord = {
          holderIdentity: undefined,
          leaseDurationSeconds: 1,
          acquireTime: microTime(this.wallClock()),
          renewTime: microTime(this.wallClock()),
          leaseTransitions: basis.record.leaseTransitions,
        };
        const written = await this.writeUnlessRaced("PUT", released, basis, controller.signal);
        if (written) {
          this.lease = written;
          this.observe(written);
          this.holdsLease = false;
          this.logger.info(this.context, "leader election: released the lease");
          return;
        }
        const current = await this.readLease(controller.signal);
        basis = current?.record.holderIdentity === this.ownIdentity ? current : undefined;
      }
      this.holdsLease = false;
    } catch (error) {
      const text = controller.signal.aborted ? errorText(controller.signal.reason) : errorText(error);
      this.logger.warn(
        { ...this.context, error: text },
        "leader election: could not release the lease; it expires on its own",
      );
    } finally {
      clearTimeout(timeout);
    }
  }

  private takenRecord(leaseTransitions: number): LeaseRecord {
    const now = microTime(this.wallClock());
    return {
      holderIdentity: this.ownIdentity,
      leaseDurationSeconds: this.leaseDurationSeconds(),
      acquireTime: now,
      renewTime: now,
      leaseTransitions,
    };
  }

  private renewedRecord(current: LeaseRecord): LeaseRecord {
    const now = microTime(this.wallClock());
    return {
      holderIdentity: this.ownIdentity,
      leaseDurationSeconds: this.leaseDurationSeconds(),
      acquireTime: current.acquireTime ?? now,
      renewTime: now,
      leaseTransitions: current.leaseTransitions,
    };
  }

  /** Rounded up, never down: a standby must never wait less than the leader's renew deadline. */
  private leaseDurationSeconds(): number {
    return Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
  }

  private observe(lease: StoredLease | undefined): void {
    const key = lease === undefined ? undefined : recordKey(lease.record);
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedAt = this.monotonic();
    }
    this.observed = lease?.record;
    const holder = lease?.record.holderIdentity;
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (this.currentRole === "stopped") return;
    this.logger.info({ ...this.context, leader: holder ?? null }, "leader election: new leader observed");
    this.notify("onNewLeader", () => this.options.onNewLeader?.(holder));
  }

  /** The record's own duration when it gives one (client-go's rule), else ours. */
  private expiresAt(): number {
    const seconds = this.observed?.leaseDurationSeconds;
    return this.observedAt + (seconds === undefined ? this.leaseDurationMs : seconds * 1000);
  }

  private observedExpired(): boolean {
    return this.expiresAt() <= this.monotonic();
  }

  private async readLease(signal: AbortSignal): Promise<StoredLease | undefined> {
    try {
      return leaseFromObject(await this.requester.getJson(leasePath(this.namespace, this.name), {}, signal));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async write(
    method: "POST" | "PUT",
    record: LeaseRecord,
    basis: StoredLease | undefined,
    signal: AbortSignal,
  ): Promise<StoredLease> {
    const path =
      method === "POST" ? leaseCollectionPath(this.namespace) : leasePath(this.namespace, this.name);
    const body = leaseBody(this.namespace, this.name, record, basis);
    return leaseFromObject(await this.requester.sendJson(method, path, body, signal));
  }

  /** The write, or undefined when another replica wrote first (409): a lost race, not a failure. */
  private async writeUnlessRaced(
    method: "POST" | "PUT",
    record: LeaseRecord,
    basis: StoredLease | undefined,
    signal: AbortSignal,
  ): Promise<StoredLease | undefined> {
    try {
      return await this.write(method, record, basis, signal);
    } catch (error) {
      if (!isConflict(error)) throw error;
      this.logger.debug(this.context, "leader election: another replica wrote the lease first");
      return undefined;
    }
  }

  private notify(callback: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.error({ ...this.context, error: errorText(error) }, `leader election: ${callback} threw`);
    }
  }
}

/** For timer callbacks: a throw there would take the process down. */
function guarded(run: () => void): void {
  try {
    run();
  } catch {
    // Only a throwing logger gets here, and it cannot be told.
  }
}

/** 409 answers both a create of an existing Lease and an update from a stale resourceVersion. */
function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}

function checkedDuration(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new RangeError(
      `leader election: ${name} must be a positive number of milliseconds up to ${MAX_DURATION_MS}, not ${String(ms)}`,
    );
  }
  return ms;
}

function checkedName(
  what: string,
  value: string,
  isValid: (name: string) => boolean,
  maxLength: number,
): string {
  if (typeof value !== "string" || !isValid(value)) {
    throw new RangeError(
      `leader election: the lease ${what} must be a lower-case DNS name of at most ${maxLength} characters, not "${String(value).slice(0, 80)}"`,
    );
  }
  return value;
}
