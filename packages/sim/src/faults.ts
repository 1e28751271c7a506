// Fault injection, so tests can prove a client survives what real clusters do to it.
//
// Admin endpoint: POST /sim/faults with one JSON fault (or an array of them); GET /sim/faults shows
// the pending rules; DELETE /sim/faults clears them. The same faults can be given at start
// (SimulatorOptions.faults) or applied with RunningSimulator.fault(). Each fault is an object with
// an "action":
//
//   {"action":"drop-watches"}                     cut every open watch connection now
//   {"action":"end-watches"}                      end every open watch cleanly, as a server-side
//                                                  timeout does
//   {"action":"stall-watches","newStreamsForMs":N} open watches go silent (no bytes, no close);
//                                                  watches opened in the next N ms stall too
//   {"action":"fail","status":410|429|500|503,"count":N,"path":"regex","retryAfterSeconds":S,
//    "watchOnly":bool}                             the next N matching requests fail with that
//                                                  status (429 and 503 carry Retry-After; a 410 on
//                                                  a watch is sent as an ERROR event, as the real
//                                                  server does). "path" is matched against the
//                                                  path and query, e.g. "continue=" or "/pods"
//   {"action":"hang","count":N,"path":"regex","watchOnly":bool}
//                                                  the next N matching requests get no answer at
//                                                  all (no status, no bytes) until the client
//                                                  gives up
//   {"action":"inject","resource":"pods","group":"","raw":"text"}  or  ...,"event":{...}}
//                                                  write one line into every open watch of that
//                                                  resource (group optional): raw text as given
//                                                  (say, something that is not JSON), or an event
//                                                  object serialized (say, an object without
//                                                  metadata, or a 2 MB one) - bad data on demand
//   {"action":"delay","ms":M,"count":N,"path":"regex","watchOnly":bool}
//                                                  the next N matching requests are answered M ms
//                                                  late (a slow or overloaded server)
//   {"action":"compact"}                           forget the change history: older watch
//                                                  resourceVersions and continue tokens get 410
//   {"action":"restart"}                           a restart with lost history: watches cut,
//                                                  history and snapshots gone, resourceVersions
//                                                  continue in a new, much higher epoch
//   {"action":"partition","header":"authorization","pattern":"regex"}
//                                                  cut one client off, as a network partition
//                                                  would: from now on every request whose named
//                                                  header (any case) matches the regex gets no
//                                                  answer at all, and its open watches go silent
//                                                  (no bytes, no close). A request without that
//                                                  header never matches. /sim/faults itself stays
//                                                  reachable, so a partition can be healed
//   {"action":"heal"}                              end every partition; requests already hung stay
//                                                  unanswered and silenced watches stay silent
//                                                  (their events are lost, as a dead connection's
//                                                  would be), so the client must reopen them
//   {"action":"clear"}                             drop pending fail, hang and delay rules,
//                                                  new-stream stalls and partitions
import type { IncomingHttpHeaders } from "node:http";
import { excerpt } from "@meshsync/k8s";
import type { ObjectStore } from "./store/index.js";
import type { ListSnapshots } from "./store/list-snapshots.js";
import { badRequest, StatusError } from "./store/status-error.js";
import type { WatchHub } from "./watch.js";

export type Fault =
  | { action: "drop-watches" }
  | { action: "end-watches" }
  | { action: "stall-watches"; newStreamsForMs?: number }
  | {
      action: "fail";
      status: number;
      count?: number;
      path?: string;
      retryAfterSeconds?: number;
      watchOnly?: boolean;
    }
  | { action: "hang"; count?: number; path?: string; watchOnly?: boolean }
  | { action: "delay"; ms: number; count?: number; path?: string; watchOnly?: boolean }
  | { action: "compact" }
  | { action: "restart" }
  | { action: "inject"; resource: string; group?: string; raw?: string; event?: unknown }
  | { action: "partition"; header: string; pattern: string }
  | { action: "heal" }
  | { action: "clear" };

/** What a matching request gets: an error, no answer at all, or its answer late. */
export type Interception =
  | { kind: "fail"; error: StatusError }
  | { kind: "hang" }
  | { kind: "delay"; ms: number };

type RuleOutcome =
  | { kind: "fail"; status: number; retryAfterSeconds: number }
  | { kind: "hang" }
  | { kind: "delay"; ms: number };

interface RequestRule {
  outcome: RuleOutcome;
  remaining: number;
  path?: RegExp;
  /** The pattern as given, for showing the rule back. */
  pathText?: string;
  watchOnly: boolean;
}

interface RuleMatch {
  count?: number;
  path?: string;
  watchOnly?: boolean;
}

/** One client cut off: the requests whose header matches the pattern. */
interface Partition {
  /** Lower case, as node gives request headers. */
  header: string;
  pattern: RegExp;
  /** The pattern as given, for showing the partition back. */
  patternText: string;
}

// A partition is one test's client; far more than any test needs is a runaway caller.
const MAX_PARTITIONS = 64;
const MAX_PATTERN_LENGTH = 1024;
const MAX_HEADER_NAME_LENGTH = 256;
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface FaultResult {
  action: string;
  affected?: number;
  resourceVersion?: string;
}

const failReasons: Record<number, string> = {
  410: "Expired",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
};

export class FaultController {
  private rules: RequestRule[] = [];
  private partitions: Partition[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly hub: WatchHub,
    private readonly snapshots: ListSnapshots,
  ) {}

  apply(fault: Fault): FaultResult {
    switch (fault.action) {
      case "drop-watches":
        return { action: fault.action, affected: this.hub.dropAll() };
      case "end-watches":
        return { action: fault.action, affected: this.hub.closeAll() };
      case "stall-watches":
        return { action: fault.action, affected: this.hub.stallAll(fault.newStreamsForMs ?? 0) };
      case "fail":
        this.rules.push(ruleFor(failOutcome(fault.status, fault.retryAfterSeconds), fault));
        return { action: fault.action };
      case "hang":
        this.rules.push(ruleFor({ kind: "hang" }, fault));
        return { action: fault.action };
      case "delay":
        if (!Number.isFinite(fault.ms) || fault.ms < 0)
          throw badRequest("delay: ms must be a number of milliseconds");
        this.rules.push(ruleFor({ kind: "delay", ms: fault.ms }, fault));
        return { action: fault.action };
      case "compact":
        this.store.compact();
        this.snapshots.expireThrough(this.store.resourceVersion);
        return { action: fault.action, resourceVersion: String(this.store.resourceVersion) };
      case "restart": {
        const affected = this.hub.dropAll();
        this.snapshots.expireThrough(this.store.resourceVersion);
        this.store.restart();
        return { action: fault.action, affected, resourceVersion: String(this.store.resourceVersion) };
      }
      case "inject": {
        if (typeof fault.resource !== "string" || (fault.raw === undefined) === (fault.event === undefined)) {
          throw badRequest('inject: needs "resource" and exactly one of "raw" or "event"');
        }
        const line = fault.raw !== undefined ? String(fault.raw) : JSON.stringify(fault.event);
        return { action: fault.action, affected: this.hub.injectLine(fault.resource, fault.group, line) };
      }
      case "partition": {
        const partition = partitionFor(fault);
        if (this.partitions.length >= MAX_PARTITIONS) {
          throw badRequest(`partition: at most ${MAX_PARTITIONS} partitions at once; heal first`);
        }
        this.partitions.push(partition);
        const affected = this.hub.stallWhere((request) => matchesPartition(partition, request.headers));
        return { action: fault.action, affected };
      }
      case "heal": {
        const affected = this.partitions.length;
        this.partitions = [];
        return { action: fault.action, affected };
      }
      case "clear":
        this.rules = [];
        this.partitions = [];
        this.hub.stallNewUntil = 0;
        return { action: fault.action };
    }
  }

  /** Whether a request comes from a client that a partition has cut off. */
  isPartitioned(headers: IncomingHttpHeaders): boolean {
    return this.partitions.some((partition) => matchesPartition(partition, headers));
  }

  /** What a request gets instead of (or before) its answer, if a rule says so; uses up one match. */
  intercept(pathAndQuery: string, isWatch: boolean): Interception | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.watchOnly && !isWatch) continue;
      if (rule.path && !rule.path.test(pathAndQuery)) continue;
      rule.remaining--;
      this.rules = this.rules.filter((candidate) => candidate.remaining > 0);
      const outcome = rule.outcome;
      return outcome.kind === "fail"
        ? { kind: "fail", error: failureFor(outcome.status, outcome.retryAfterSeconds) }
        : outcome;
    }
    return undefined;
  }

  describe(): unknown {
    return {
      rules: this.rules.map((rule) => ({
        ...rule.outcome,
        remaining: rule.remaining,
        path: rule.pathText,
        watchOnly: rule.watchOnly,
      })),
      partitions: this.partitions.map((partition) => ({
        header: partition.header,
        pattern: partition.patternText,
      })),
      openWatches: this.hub.openCount,
      resourceVersion: String(this.store.resourceVersion),
      oldestResumableResourceVersion: String(this.store.history.oldestResumable),
    };
  }
}

function failOutcome(status: number, retryAfterSeconds: number | undefined): RuleOutcome {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw badRequest("fail: status must be an HTTP error status (400-599)");
  }
  return { kind: "fail", status, retryAfterSeconds: retryAfterSeconds ?? 1 };
}

function ruleFor(outcome: RuleOutcome, match: RuleMatch): RequestRule {
  const rule: RequestRule = { outcome, remaining: match.count ?? 1, watchOnly: match.watchOnly ?? false };
  if (match.path !== undefined) {
    try {
      rule.path = new RegExp(match.path);
      rule.pathText = match.path;
    } catch {
      throw badRequest(`path is not a valid regular expression: ${excerpt(String(match.path))}`);
    }
  }
  return rule;
}

function partitionFor(fault: { header?: unknown; pattern?: unknown }): Partition {
  const { header, pattern } = fault;
  if (typeof header !== "string" || header.length > MAX_HEADER_NAME_LENGTH || !headerName.test(header)) {
    throw badRequest('partition: "header" must be an HTTP header name, e.g. "authorization"');
  }
  if (typeof pattern !== "string" || pattern === "" || pattern.length > MAX_PATTERN_LENGTH) {
    throw badRequest(
      `partition: "pattern" must be a regular expression of 1-${MAX_PATTERN_LENGTH} characters`,
    );
  }
  try {
    return { header: header.toLowerCase(), pattern: new RegExp(pattern), patternText: pattern };
  } catch {
    throw badRequest(`partition: pattern is not a valid regular expression: ${excerpt(pattern)}`);
  }
}

function matchesPartition(partition: Partition, headers: IncomingHttpHeaders | undefined): boolean {
  const value = headers?.[partition.header];
  if (value === undefined) return false;
  return partition.pattern.test(Array.isArray(value) ? value.join(", ") : value);
}

function failureFor(status: number, retryAfterSeconds: number): StatusError {
  const reason = failReasons[status] ?? "InternalError";
  const message =
    status === 410
      ? "The resourceVersion for the provided watch is too old."
      : status === 429
        ? "Too many requests, please try again later."
        : 'an error on the server ("injected fault") has prevented the request from succeeding';
  const details = status === 429 || status === 503 ? { retryAfterSeconds: retryAfterSeconds } : undefined;
  return new StatusError(status, reason, message, details);
}

/** Reads faults from an admin request body: one object or an array. */
export function parseFaults(body: unknown): Fault[] {
  const entries = Array.isArray(body) ? body : [body];
  const actions = new Set([
    "drop-watches",
    "end-watches",
    "stall-watches",
    "fail",
    "hang",
    "delay",
    "inject",
    "compact",
    "restart",
    "partition",
    "heal",
    "clear",
  ]);
  return entries.map((entry) => {
    if (
      typeof entry !== "object" ||
      entry === null ||
      !actions.has((entry as { action?: unknown }).action as string)
    ) {
      throw badRequest(`a fault needs an "action", one of: ${[...actions].join(", ")}`);
    }
    return entry as Fault;
  });
}
