// Reading the change log's retained window as a list, for Query.changes: where to start (a cursor, a
// time, or the oldest retained change), the filter applied as a subscription applies it, and the scan
// done in the turn slices so that reading a million changes holds no other client up.
import type { ChangeLog, FilterView } from "../graph/index.js";
import { type ChangeEvent, projectChange, resumePoint, safeMatcher } from "./change-stream.js";
import { inTurnSlices } from "./turn-slices.js";

export type ChangeWindow = Pick<
  ChangeLog,
  | "sequence"
  | "oldestRetained"
  | "cursor"
  | "parseCursor"
  | "changeAt"
  | "firstAtOrAfter"
  | "reachesBackTo"
  | "now"
  | "subscribe"
>;

/** Where a read starts: one of a cursor (`since`), a time in epoch ms (`sinceTime`), or neither. */
export type ChangeListStart = { since: string } | { sinceTime: number } | Record<string, never>;

export interface ChangeListRequest {
  start: ChangeListStart;
  /** The most changes the list holds. */
  first: number;
  matches: (resource: FilterView) => boolean;
}

export interface ChangeList {
  /** Oldest first. */
  changes: ChangeEvent[];
  /** The cursor after the last change this read looked at: pass it as `since` to carry on. */
  next: string;
  /** False when changes between the start asked for and the first one returned have left the window. */
  complete: boolean;
  /** Whether the window held changes after `next` when the read ended. */
  hasMore: boolean;
}

/** Changes looked at per piece of work in a turn slice: a fraction of a millisecond. */
const changesPerPiece = 512;

/**
 * The most changes one read looks at, matched or not: a filter that matches little stops here with
 * fewer changes than asked for, `hasMore` true and `next` where it stopped.
 */
export const maxScannedChanges = 100_000;

interface Position {
  /** The first sequence to look at. */
  from: number;
  complete: boolean;
}

function startOf(window: ChangeWindow, start: ChangeListStart): Position {
  if ("since" in start) {
    // The same reading of a cursor as a subscription's resume: malformed, foreign, ahead of the log or
    // older than the window is where a subscriber would be sent RESYNC.
    const point = resumePoint(window, start.since);
    if (point.kind === "backlog") return { from: point.from, complete: true };
    if (point.kind === "live") return { from: window.sequence + 1, complete: true };
    return { from: window.oldestRetained, complete: false };
  }
  if ("sinceTime" in start) {
    return {
      from: window.firstAtOrAfter(start.sinceTime),
      complete: window.reachesBackTo(start.sinceTime),
    };
  }
  return { from: window.oldestRetained, complete: window.oldestRetained === 1 };
}

/**
 * Up to `first` retained changes that match, oldest first, each as a subscriber with the same filter
 * would receive it (an object that moves into the filter is ADDED, out of it DELETED). The read ends at
 * the log's sequence when it began; a change that leaves the window while the read waits for its next
 * slice ends it early, so the list never has a gap and `next` carries on from there.
 */
export async function readChanges(window: ChangeWindow, request: ChangeListRequest): Promise<ChangeList> {
  const { from, complete } = startOf(window, request.start);
  const end = window.sequence;
  const matches = safeMatcher(request.matches);
  const changes: ChangeEvent[] = [];
  let at = from;
  let stopped = false;
  const scanUntil = Math.min(end, from + maxScannedChanges - 1);
  const readPiece = () => {
    const pieceEnd = Math.min(scanUntil, at + changesPerPiece - 1);
    while (at <= pieceEnd && changes.length < request.first) {
      const change = window.changeAt(at);
      if (change === undefined) {
        stopped = true;
        return;
      }
      at += 1;
      const event = projectChange(window, change, matches);
      if (event !== undefined) changes.push(event);
    }
  };
  while (!stopped && at <= scanUntil && changes.length < request.first) await inTurnSlices(readPiece);
  const next = window.cursor(at - 1);
  return { changes, next, complete, hasMore: at <= window.sequence };
}
