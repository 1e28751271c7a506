// One resource type's list and watch calls against an API server (client-go's ListerWatcher). The
// reflector drives them; it sees only this interface, so tests can hand it a scripted one.
import { isRecord, kubeErrorFromStatus } from "./errors.js";
import type { KubeRequester } from "./http-client.js";
import { skipValue } from "./json-scan.js";
import type { Logger } from "./logger.js";
import { apiVersionOf, type KubeObject, type ResourceType, resourceTypeName } from "./types.js";
import { decodeWatchLine, objectProblem, type WatchEvent } from "./watch-event.js";
import { decodeList } from "./wire-object.js";

export interface ListOptions {
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  /** Token for the next page; absent or "" on the last one. */
  continue?: string;
}

export interface WatchOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  signal?: AbortSignal;
}

/** Watch events as they arrive; ends when the server ends the stream. */
export interface WatchStream extends AsyncIterable<WatchEvent> {
  close(): void;
}

export interface ListerWatcher {
  /** Malformed items and watch lines dropped so far, when the implementation counts them. */
  readonly skipped?: number;
  list(options: ListOptions): Promise<ListPage>;
  watch(options: WatchOptions): Promise<WatchStream>;
}

/** Collection path of a type across all namespaces: /api/v1/pods, /apis/apps/v1/deployments. */
export function collectionPath(type: ResourceType): string {
  const base = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return `${base}/${type.resource}`;
}

/** A page of a list, asked for (maybe before the list asked for it). */
interface PageFetch {
  readonly token: string | undefined;
  readonly limit: number | undefined;
  readonly signal: AbortSignal | undefined;
  text: Promise<string>;
  /** Whether the list has asked for this page: only then is the one after it asked for. */
  claimed: boolean;
  /** The next page's token once the head has named it ("" for none, or once it has been asked for). */
  next: string | undefined;
}

export class HttpListerWatcher implements ListerWatcher {
  private readonly path: string;
  private readonly name: string;
  /** The next page, asked for before the list asked (fetchAhead). */
  private ahead: PageFetch | undefined;
  skipped = 0;

  constructor(
    private readonly client: KubeRequester,
    private readonly type: ResourceType,
    private readonly logger: Logger,
  ) {
    this.path = collectionPath(type);
    this.name = resourceTypeName(type);
  }

  async list(options: ListOptions): Promise<ListPage> {
    const token = options.continue || undefined;
    const ahead = this.ahead;
    this.ahead = undefined;
    const page =
      ahead !== undefined && ahead.token === token && ahead.limit === options.limit
        ? ahead
        : this.fetchPage(options.limit, token, options.signal);
    page.claimed = true;
    this.fetchAhead(page);
    return this.decodePage(await page.text);
  }

  /**
   * One page, asked for. Its head names the next page's continue token long before its end; once the
   * page is claimed (list asked for it) and its head is in, the next page is asked for too (fetchAhead),
   * so the server writes it while this one is still arriving and being decoded: a paginated list costs
   * about the larger of the server's time and ours, not their sum. One page ahead at most.
   */
  private fetchPage(limit: number | undefined, token: string | undefined, signal?: AbortSignal): PageFetch {
    const page: PageFetch = {
      token,
      limit,
      signal,
      claimed: false,
      next: undefined,
      text: Promise.resolve(""),
    };
    page.text = this.client.getText(this.path, { limit, continue: token }, signal, (head) => {
      const next = continueTokenInHead(head);
      if (next === null) return false;
      page.next = next;
      this.fetchAhead(page);
      return true;
    });
    // Told to whoever claims it; unclaimed (the list gave up first) it must not be an unhandled rejection.
    page.text.catch(() => {});
    return page;
  }

  /** Asks for the page after a claimed one, once its token is known; at most once per page. */
  private fetchAhead(page: PageFetch): void {
    const { next, limit, signal } = page;
    if (!page.claimed || next === undefined || next === "" || limit === undefined || signal?.aborted) return;
    page.next = "";
    this.ahead = this.fetchPage(limit, next, signal);
  }

  private decodePage(text: string): ListPage {
    const defaultsFor = (apiVersion: unknown) => ({
      kind: this.type.kind,
      apiVersion: typeof apiVersion === "string" && apiVersion !== "" ? apiVersion : apiVersionOf(this.type),
    });
    let body: unknown;
    let decodedItems: unknown[] | undefined;
    try {
      const decoded = decodeList(text, defaultsFor);
      body = decoded.head;
      decodedItems = decoded.items;
    } catch {
      // What the decoder cannot cut, JSON.parse reads (or refuses, in its own words).
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`list ${this.name}: answer is not JSON`);
      }
    }
    if (!isRecord(body)) throw new Error(`list ${this.name}: answer is not a list`);
    const rawItems = decodedItems ?? body.items;
    if (!Array.isArray(rawItems)) throw new Error(`list ${this.name}: answer is not a list`);
    const metadata = isRecord(body.metadata) ? body.metadata : {};
    const resourceVersion = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : "";
    // Real servers leave kind/apiVersion off list items; the list (or the type) says what they are.
    const { kind, apiVersion } = defaultsFor(body.apiVersion);
    const items: KubeObject[] = [];
    for (const item of rawItems) {
      const problem = objectProblem(item) ?? this.wrongKind(item as KubeObject);
      if (problem !== undefined) {
        this.skip(problem, "skipping list item that cannot be stored");
        continue;
      }
      const object = item as KubeObject;
      if (object.kind === undefined) object.kind = kind;
      if (object.apiVersion === undefined) object.apiVersion = apiVersion;
      items.push(object);
    }
    const next = typeof metadata.continue === "string" ? metadata.continue : undefined;
    return next ? { items, resourceVersion, continue: next } : { items, resourceVersion };
  }

  /** A server that sends another kind in this type's stream is broken; storing it would mislabel it. */
  private wrongKind(object: KubeObject): string | undefined {
    if (object.kind === undefined || object.kind === this.type.kind) return undefined;
    return `object of kind ${String(object.kind)} in the ${this.type.kind} stream (uid ${object.metadata?.uid})`;
  }

  async watch(options: WatchOptions): Promise<WatchStream> {
    const lines = await this.client.openLines(
      this.path,
      {
        watch: true,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: options.timeoutSeconds,
      },
      options.signal,
    );
    const { type } = this;
    const apiVersion = apiVersionOf(type);
    const defaults = { kind: type.kind, apiVersion };
    const problemOf = (event: WatchEvent) =>
      event.type === "ERROR" || event.type === "BOOKMARK" ? undefined : this.wrongKind(event.object);
    const skip = (problem: string) => this.skip(problem, "skipping bad watch line");
    return {
      close: () => lines.close(),
      async *[Symbol.asyncIterator]() {
        for await (const line of lines) {
          const decoded = decodeWatchLine(line, defaults);
          const problem = decoded.ok ? problemOf(decoded.value) : decoded.problem;
          if (!decoded.ok || problem !== undefined) {
            skip(problem ?? "unreadable watch line");
            continue;
          }
          const event = decoded.value;
          if (event.type !== "ERROR" && event.type !== "BOOKMARK") {
            if (event.object.kind === undefined) event.object.kind = type.kind;
            if (event.object.apiVersion === undefined) event.object.apiVersion = apiVersion;
          }
          yield event;
        }
      },
    };
  }

  private skip(problem: string, message: string): void {
    this.skipped += 1;
    this.logger.warn({ type: this.name, problem }, message);
  }
}

/** An ERROR watch event carries a Status; turned into the error the reflector reacts to (410 → relist). */
export function watchErrorOf(event: WatchEvent): Error {
  return kubeErrorFromStatus(event.object, 500);
}

/**
 * The continue token a list answer's head names: "" when its metadata is complete and names none (the
 * last page), null while the metadata has not all arrived (or comes after the items, where waiting for
 * it gains nothing). Real servers write kind, apiVersion, metadata, then items.
 */
export function continueTokenInHead(head: string): string | null {
  const itemsAt = head.indexOf('"items"');
  const metadataAt = head.indexOf('"metadata"');
  if (metadataAt < 0 || (itemsAt >= 0 && itemsAt < metadataAt)) return itemsAt >= 0 ? "" : null;
  const start = head.indexOf("{", metadataAt);
  if (start < 0) return null;
  try {
    const end = skipValue(head, start);
    const metadata: unknown = JSON.parse(head.slice(start, end));
    return isRecord(metadata) && typeof metadata.continue === "string" ? metadata.continue : "";
  } catch {
    return null;
  }
}
