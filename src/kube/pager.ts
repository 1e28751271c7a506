// Reads a whole collection page by page (limit/continue), as client-go's pager does, so a huge
// type never arrives as one giant body. If the continue token expires midway (410), the snapshot
// is gone: fall back to one unpaginated list rather than stitch pages from different moments.
import { isGone } from "./errors.js";
import type { ListerWatcher } from "./list-watch.js";
import type { KubeObject } from "./types.js";

export interface FullList {
  items: KubeObject[];
  resourceVersion: string;
  pages: number;
}

export async function listAll(lw: ListerWatcher, pageSize: number, signal?: AbortSignal): Promise<FullList> {
  const items: KubeObject[] = [];
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
    token = page.continue;
  }
}
