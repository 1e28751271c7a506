// Paginated lists read one consistent snapshot, as etcd serves every page at the first page's
// revision. Snapshots live until their time runs out, room is needed (those read to the end go
// first), or the history they belong to is compacted; a continue token for a vanished snapshot is
// 410 Expired.
import type { KubeObject } from "../object-api.js";

export interface ContinueToken {
  resourceVersion: number;
  /** The key (namespace/name) after which the next page starts. */
  start: string;
}

interface Snapshot {
  items: KubeObject[];
  expiresAt: number;
  /** Some client read its last page; others listing at the same version may still be paging. */
  finished: boolean;
}

const DEFAULT_TTL_MS = 5 * 60_000;
const MAX_SNAPSHOTS = 64;

export class ListSnapshots {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(private readonly ttlMs = DEFAULT_TTL_MS) {}

  remember(scope: string, resourceVersion: number, items: KubeObject[]): void {
    const key = snapshotKey(scope, resourceVersion);
    const known = this.snapshots.get(key);
    if (known) {
      known.finished = false;
      return;
    }
    this.evictExpired();
    if (this.snapshots.size >= MAX_SNAPSHOTS) this.evictOne();
    this.snapshots.set(key, { items, expiresAt: Date.now() + this.ttlMs, finished: false });
  }

  find(scope: string, resourceVersion: number): KubeObject[] | undefined {
    const snapshot = this.snapshots.get(snapshotKey(scope, resourceVersion));
    if (!snapshot) return undefined;
    if (snapshot.expiresAt < Date.now()) {
      this.snapshots.delete(snapshotKey(scope, resourceVersion));
      return undefined;
    }
    return snapshot.items;
  }

  /** A client read the last page; the snapshot goes first when room is needed. */
  finish(scope: string, resourceVersion: number): void {
    const snapshot = this.snapshots.get(snapshotKey(scope, resourceVersion));
    if (snapshot) snapshot.finished = true;
  }

  /** Drops every snapshot at or below a resourceVersion (a compaction reached them). */
  expireThrough(resourceVersion: number): void {
    for (const key of [...this.snapshots.keys()]) {
      const rv = Number(key.slice(key.lastIndexOf("|") + 1));
      if (rv <= resourceVersion) this.snapshots.delete(key);
    }
  }

  private evictOne(): void {
    for (const [key, snapshot] of this.snapshots) {
      if (snapshot.finished) {
        this.snapshots.delete(key);
        return;
      }
    }
    const oldest = this.snapshots.keys().next().value;
    if (oldest !== undefined) this.snapshots.delete(oldest);
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [key, snapshot] of this.snapshots) if (snapshot.expiresAt < now) this.snapshots.delete(key);
  }
}

function snapshotKey(scope: string, resourceVersion: number): string {
  return `${scope}|${resourceVersion}`;
}

/** The real server's token format: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}. */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: "meta.k8s.io/v1", rv: token.resourceVersion, start: `${token.start}\u0000` }),
  ).toString("base64url");
}

export function decodeContinue(text: string): ContinueToken | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { v, rv, start } = parsed as Record<string, unknown>;
    if (v !== "meta.k8s.io/v1" || typeof rv !== "number" || typeof start !== "string") return undefined;
    return { resourceVersion: rv, start: start.endsWith("\u0000") ? start.slice(0, -1) : start };
  } catch {
    return undefined;
  }
}

export function objectKey(obj: KubeObject): string {
  const meta = obj.metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta?.name ?? "");
}

/** Index of the first item whose key sorts after the given key (items are in key order). */
export function indexAfter(items: KubeObject[], key: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (objectKey(items[mid]!) <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}
