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
//   {"action":"compact"}                           forget the change history: older watch
//                                                  resourceVersions and continue tokens get 410
//   {"action":"restart"}                           a restart with lost history: watches cut,
//                                                  history and snapshots gone, resourceVersions
//                                                  continue in a new, much higher epoch
//   {"action":"clear"}                             drop pending fail rules and new-stream stalls
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
  | { action: "compact" }
  | { action: "restart" }
  | { action: "clear" };

interface FailRule {
  /** 0 for a request that gets no answer at all. */
  status: number;
  remaining: number;
  path?: RegExp;
  retryAfterSeconds: number;
  watchOnly: boolean;
}

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
  private rules: FailRule[] = [];

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
        this.rules.push(parseRule(fault));
        return { action: fault.action };
      case "hang":
        this.rules.push(parseRule({ ...fault, action: "fail", status: 0 }));
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
      case "clear":
        this.rules = [];
        this.hub.stallNewUntil = 0;
        return { action: fault.action };
    }
  }

  /**
   * The failure a request should get instead of its answer, if a rule says so ("hang" for none at
   * all); consumes one use of the rule.
   */
  intercept(pathAndQuery: string, isWatch: boolean): StatusError | "hang" | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.watchOnly && !isWatch) continue;
      if (rule.path && !rule.path.test(pathAndQuery)) continue;
      rule.remaining--;
      this.rules = this.rules.filter((candidate) => candidate.remaining > 0);
      return rule.status === 0 ? "hang" : failureFor(rule);
    }
    return undefined;
  }

  describe(): unknown {
    return {
      rules: this.rules.map((rule) => ({
        status: rule.status,
        remaining: rule.remaining,
        path: rule.path?.source,
        watchOnly: rule.watchOnly,
      })),
      openWatches: this.hub.openCount,
      resourceVersion: String(this.store.resourceVersion),
      oldestResumableResourceVersion: String(this.store.history.oldestResumable),
    };
  }
}

function parseRule(fault: Extract<Fault, { action: "fail" }>): FailRule {
  const hang = fault.status === 0;
  if (!hang && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)) {
    throw badRequest("fail: status must be an HTTP error status (400-599)");
  }
  let path: RegExp | undefined;
  if (fault.path !== undefined) {
    try {
      path = new RegExp(fault.path);
    } catch {
      throw badRequest(`fail: path is not a valid regular expression: ${fault.path}`);
    }
  }
  const rule: FailRule = {
    status: fault.status,
    remaining: fault.count ?? 1,
    retryAfterSeconds: fault.retryAfterSeconds ?? 1,
    watchOnly: fault.watchOnly ?? false,
  };
  if (path) rule.path = path;
  return rule;
}

function failureFor(rule: FailRule): StatusError {
  const reason = failReasons[rule.status] ?? "InternalError";
  const message =
    rule.status === 410
      ? "The resourceVersion for the provided watch is too old."
      : rule.status === 429
        ? "Too many requests, please try again later."
        : 'an error on the server ("injected fault") has prevented the request from succeeding';
  const details =
    rule.status === 429 || rule.status === 503 ? { retryAfterSeconds: rule.retryAfterSeconds } : undefined;
  return new StatusError(rule.status, reason, message, details);
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
    "compact",
    "restart",
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
