// Reads a whole collection page by page (limit/continue), as client-go's pager does, so a huge
// type never arrives as one giant body. If the continue token expires midway (410), the snapshot
// is gone: fall back to one unpaginated list rather than stitch pages from different moments. A
// server that hands back a token it already gave, or never stops paging, is broken: the list fails
// (and is retried after backoff) instead of growing without end.
import { isGone } from "./errors.js";
import type { ListerWatcher } from "./list-watch.js";
import type { KubeObject } from "./types.js";

export interface FullList {
  items: KubeObject[];
  resourceVersion: string;
  pages: number;
}

// At the default page size this is five million objects, well past any real cluster's type.
export const DEFAULT_MAX_PAGES = 10_000;

export async function listAll(
  lw: ListerWatcher,
  pageSize: number,
  signal?: AbortSignal,
  maxPages = DEFAULT_MAX_PAGES,
): Promise<FullList> {
  const items: KubeObject[] = [];
  const tokens = new Set<string>();
  let pages = 0;
  let token: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<ListerWatcher["list"]>>;
    try {
      page = await lw.list({ limit: pageSize, continue: token, signal });
    } catch (error) {
      if (token === undefined || !isGone(error)) throw error;
      const whole = await lw.list({ signal });
      return { items: whole.items, resourceVersion: whole.resourceVersion, pages: pages + 1 };
    }
    pages += 1;
    for (const item of page.items) items.push(item);
    if (!page.continue) return { items, resourceVersion: page.resourceVersion, pages };
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
