import { quoteExcerpt } from "@meshsync/k8s";
import type { ResourcePredicate } from "./filter.js";
import { SmallestK } from "./smallest-k.js";
import type { StoredResource } from "./types.js";

/** Where an object sits in list order: cluster, namespace, kind, name, uid. */
export type SortKey = readonly [string, string, string, string, string];

function sortKeyOf(r: StoredResource): SortKey {
  return [r.clusterId, r.namespace ?? "", r.kind, r.name, r.uid];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The list order, without building keys: it runs n log k times a page. */
function compareResources(a: StoredResource, b: StoredResource): number {
  return (
    compareStrings(a.clusterId, b.clusterId) ||
    compareStrings(a.namespace ?? "", b.namespace ?? "") ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.uid, b.uid)
  );
}

/** Where an object sits against a cursor's key, without building the object's key: it runs once per candidate. */
function compareToKey(r: StoredResource, key: SortKey): number {
  return (
    compareStrings(r.clusterId, key[0]) ||
    compareStrings(r.namespace ?? "", key[1]) ||
    compareStrings(r.kind, key[2]) ||
    compareStrings(r.name, key[3]) ||
    compareStrings(r.uid, key[4])
  );
}

export function encodeCursor(r: StoredResource): string {
  return Buffer.from(JSON.stringify(sortKeyOf(r))).toString("base64url");
}

export class CursorError extends Error {
  override name = "CursorError";
}

export function decodeCursor(cursor: string): SortKey {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 5 && parsed.every((p) => typeof p === "string")) {
      return parsed as unknown as SortKey;
    }
  } catch {
    // fall through to the error below
  }
  throw new CursorError(`${quoteExcerpt(cursor)} is not a cursor this server issued`);
}

export interface ScannedPage {
  items: StoredResource[];
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Candidates looked at between two looks at the clock: enough that reading it costs nothing. */
const candidatesPerClockRead = 256;

/**
 * One page of a list, read from a fixed sequence of candidates: every match is counted, and the first
 * `first` after the cursor are kept. It can stop at a deadline and go on later, so a scan of a huge
 * graph can leave the event loop to others between slices.
 */
export class PageScan {
  private readonly kept: SmallestK<StoredResource>;
  private candidates: IterableIterator<StoredResource>;
  private totalCount = 0;
  private afterCursor = 0;
  private finished = false;

  constructor(
    candidates: IterableIterator<StoredResource>,
    private readonly matches: ResourcePredicate,
    first: number,
    private readonly after: SortKey | undefined,
  ) {
    if (first < 0) throw new RangeError("first must not be negative");
    this.kept = new SmallestK(first, compareResources);
    this.candidates = candidates;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Reads candidates until none are left or performance.now() passes `deadline`; true when none are left. */
  advance(deadline = Number.POSITIVE_INFINITY): boolean {
    const { candidates, matches, after, kept } = this;
    let sinceClockRead = 0;
    while (!this.finished) {
      const next = candidates.next();
      if (next.done === true) {
        this.finished = true;
        break;
      }
      const r = next.value;
      if (matches(r)) {
        this.totalCount++;
        if (after === undefined || compareToKey(r, after) > 0) {
          this.afterCursor++;
          kept.offer(r);
        }
      }
      if (++sinceClockRead === candidatesPerClockRead) {
        sinceClockRead = 0;
        if (performance.now() > deadline) break;
      }
    }
    return this.finished;
  }

  /**
   * Copies the candidates not read yet, so that the scan no longer reads the live index: called in the
   * turn the scan started, it fixes what the rest of the scan sees to the graph of that moment.
   */
  detach(): void {
    const rest = Array.from(this.candidates);
    this.candidates = rest.values();
  }

  page(): ScannedPage {
    const items = this.kept.sorted();
    const last = items.at(-1);
    return {
      items,
      totalCount: this.totalCount,
      endCursor: last ? encodeCursor(last) : null,
      hasNextPage: this.afterCursor > items.length,
    };
  }
}
