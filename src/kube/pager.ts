// Reads a whole collection page by page (limit/continue), as client-go's pager does, so a huge
// type never arrives as one giant body. If the continue token expires midway (410), the snapshot
// the pages belong to is gone, and pages from different moments must not be stitched together:
// the list starts again from the first page, still paginated. (client-go's pager falls back to one
// unpaginated request there; at 150,000 pods that body is longer than V8's longest string.) A
// server that hands back a token it already gave, never stops paging, or expires every attempt is
// broken: the list fails (and is retried after backoff) instead of growing without end.
import { isGone } from "./errors.js";
import type { ListerWatcher, ListPage } from "./list-watch.js";
import type { KubeObject } from "./types.js";

export interface FullList {
  items: KubeObject[];
  resourceVersion: string;
  /** Pages read, counting those of attempts that expired. */
  pages: number;
}

// At the default page size this is five million objects, well past any real cluster's type.
export const DEFAULT_MAX_PAGES = 10_000;
// An expired continue token means the list took longer than the server keeps snapshots (etcd
// compaction, every 5 minutes by default); a fresh attempt usually fits. Past this, back off.
export const MAX_LIST_ATTEMPTS = 3;

/** Told after each page how many objects this attempt holds so far (an expired attempt starts again at 0). */
export type ListProgress = (objectsSoFar: number) => void;

/**
 * Told each page as it arrives, before the next is read (the walk waits for it): `firstOfAttempt` when
 * it starts a pass, so that a pass that expired midway and started again can be told from its pages.
 */
export type PageHandler = (page: ListPage, firstOfAttempt: boolean) => void | Promise<void>;

/** What a streamed list leaves once its pages have been handed over. */
export interface StreamedList {
  resourceVersion: string;
  /** Objects of the pass that completed. */
  objects: number;
  /** Pages read, counting those of attempts that expired. */
  pages: number;
}

/**
 * Reads a whole collection, handing each page on as it arrives rather than holding them all: what a
 * page decoded into can be stored and let go before the next page comes.
 */
export async function streamAll(
  lw: ListerWatcher,
  pageSize: number,
  onItems: PageHandler,
  signal?: AbortSignal,
  maxPages = DEFAULT_MAX_PAGES,
  onPage: ListProgress = () => {},
): Promise<StreamedList> {
  let pages = 0;
  for (let attempt = 1; ; attempt++) {
    const result = await listOnce(lw, pageSize, signal, maxPages, onPage, onItems);
    pages += result.pages;
    if (result.kind === "complete")
      return { resourceVersion: result.resourceVersion, objects: result.objects, pages };
    if (attempt >= MAX_LIST_ATTEMPTS) {
      throw new Error(
        `list expired before its last page ${attempt} times in a row (continue token too old); giving up on this attempt`,
      );
    }
  }
}

/** Every object of a collection at once: streamAll with the pages collected. */
export async function listAll(
  lw: ListerWatcher,
  pageSize: number,
  signal?: AbortSignal,
  maxPages = DEFAULT_MAX_PAGES,
  onPage: ListProgress = () => {},
): Promise<FullList> {
  let items: KubeObject[] = [];
  const collect: PageHandler = (page, first) => {
    if (first) items = [];
    for (const item of page.items) items.push(item);
  };
  const list = await streamAll(lw, pageSize, collect, signal, maxPages, onPage);
  return { items, resourceVersion: list.resourceVersion, pages: list.pages };
}

type Attempt =
  | { kind: "complete"; resourceVersion: string; objects: number; pages: number }
  | { kind: "expired"; pages: number };

/** One paginated pass over the collection; "expired" when a continue token expired on the way. */
async function listOnce(
  lw: ListerWatcher,
  pageSize: number,
  signal: AbortSignal | undefined,
  maxPages: number,
  onPage: ListProgress,
  onItems: PageHandler,
): Promise<Attempt> {
  const tokens = new Set<string>();
  let objects = 0;
  let pages = 0;
  let token: string | undefined;
  onPage(0);
  for (;;) {
    let page: ListPage;
    try {
      page = await lw.list({ limit: pageSize, continue: token, signal });
    } catch (error) {
      if (token === undefined || !isGone(error)) throw error;
      return { kind: "expired", pages };
    }
    pages += 1;
    await onItems(page, pages === 1);
    objects += page.items.length;
    onPage(objects);
    if (!page.continue) return { kind: "complete", resourceVersion: page.resourceVersion, objects, pages };
    if (tokens.has(page.continue)) {
      throw new Error(`list page ${pages} repeats an earlier continue token; the server is paging in a loop`);
    }
    if (pages >= maxPages) {
      throw new Error(`list still not complete after ${pages} pages; giving up on this attempt`);
    }
    tokens.add(page.continue);
    token = page.continue;
  }
}
