import { CandidateScan } from "./candidate-scan.js";
import type { ResourcePredicate } from "./filter.js";
import { CursorError, ListOrder } from "./list-order.js";
import { SmallestK } from "./smallest-k.js";
import type { StoredResource } from "./types.js";

export { CursorError };

/** The stable order's cursor of an object. */
export function encodeCursor(r: StoredResource): string {
  return ListOrder.stable.encode(r);
}

export interface ScannedPage {
  items: StoredResource[];
  /** An item's cursor, made when asked: a page of a thousand would otherwise encode a thousand unread. */
  cursorOf: (item: StoredResource) => string;
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Which end of the order a page is read from: `first` after a cursor, or `last` before one. */
export interface PageWindow {
  readonly order: ListOrder;
  readonly direction: "forward" | "backward";
  readonly size: number;
  readonly cursor: string | undefined;
}

/**
 * One page of a list, read from a fixed sequence of candidates: every match is counted, and the `size`
 * nearest the cursor on the page's side are kept, so a page of k out of n costs n log k, never a sort
 * of all n, in every order and either direction.
 */
export class PageScan extends CandidateScan {
  private readonly kept: SmallestK<StoredResource>;
  private readonly inWindow: (r: StoredResource) => boolean;
  private readonly order: ListOrder;
  private readonly backward: boolean;
  private readonly hasCursor: boolean;
  private totalCount = 0;
  private onPageSide = 0;

  constructor(candidates: IterableIterator<StoredResource>, matches: ResourcePredicate, window: PageWindow) {
    super(candidates, matches);
    if (window.size < 0) throw new RangeError("a page size must not be negative");
    const { order } = window;
    this.order = order;
    this.backward = window.direction === "backward";
    const cursor = window.cursor === undefined ? undefined : order.decode(window.cursor);
    this.hasCursor = cursor !== undefined;
    // Backward, the page is the k largest before the cursor: the k smallest of the reversed order.
    this.kept = new SmallestK(window.size, this.backward ? (a, b) => order.compare(b, a) : order.compare);
    if (cursor === undefined) this.inWindow = () => true;
    else if (this.backward) this.inWindow = (r) => order.compare(r, cursor) < 0;
    else this.inWindow = (r) => order.compare(r, cursor) > 0;
  }

  protected visit(r: StoredResource): void {
    this.totalCount++;
    if (this.inWindow(r)) {
      this.onPageSide++;
      this.kept.offer(r);
    }
  }

  page(): ScannedPage {
    const items = this.kept.sorted();
    if (this.backward) items.reverse();
    const cursorOf = (item: StoredResource) => this.order.encode(item);
    // Beyond the page on its own side: more to read in its direction. On the other side of the cursor:
    // what the cursor left out, the cursor's own object included.
    const beyond = this.onPageSide > items.length;
    const behind = this.hasCursor && this.totalCount > this.onPageSide;
    return {
      items,
      cursorOf,
      totalCount: this.totalCount,
      endCursor: items.length > 0 ? cursorOf(items.at(-1)!) : null,
      hasNextPage: this.backward ? behind : beyond,
      hasPreviousPage: this.backward ? beyond : behind,
    };
  }
}
