import { quoteExcerpt } from "@meshsync/k8s";
import type { StoredResource } from "./types.js";

/** What a list may be sorted by besides its stable order. */
export type OrderField = "NAME" | "NAMESPACE" | "CREATED";

export interface ListOrderSpec {
  field: OrderField;
  direction?: "ASC" | "DESC" | null;
}

/** What an order reads of an object: enough to place a cursor as if it were one. */
type OrderKey = Pick<StoredResource, "clusterId" | "namespace" | "kind" | "name" | "uid" | "createdAtMs">;

export class CursorError extends Error {
  override name = "CursorError";
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stable order every list keeps by default and every other order breaks its ties with. */
function compareStable(a: OrderKey, b: OrderKey): number {
  return (
    compareStrings(a.clusterId, b.clusterId) ||
    compareStrings(a.namespace ?? "", b.namespace ?? "") ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.uid, b.uid)
  );
}

/** An object without a creation time sorts before every other, as a null sorts first. */
function compareCreated(a: OrderKey, b: OrderKey): number {
  const x = a.createdAtMs ?? Number.NEGATIVE_INFINITY;
  const y = b.createdAtMs ?? Number.NEGATIVE_INFINITY;
  return x < y ? -1 : x > y ? 1 : 0;
}

const leading: Record<OrderField, (a: OrderKey, b: OrderKey) => number> = {
  NAME: (a, b) => compareStrings(a.name, b.name),
  NAMESPACE: (a, b) => compareStrings(a.namespace ?? "", b.namespace ?? ""),
  CREATED: compareCreated,
};

/**
 * One order of a list: how two objects compare, and the cursors that name a place in it. A cursor holds
 * the sort key of the object it was cut at, not a position, so it stays valid while objects come and go;
 * it names the field it was issued for (either direction reads it) and is refused under another.
 */
export class ListOrder {
  readonly compare: (a: OrderKey, b: OrderKey) => number;

  private constructor(
    private readonly field: OrderField | undefined,
    descending: boolean,
  ) {
    const first = field === undefined ? undefined : leading[field];
    const ascending =
      first === undefined ? compareStable : (a: OrderKey, b: OrderKey) => first(a, b) || compareStable(a, b);
    this.compare = descending ? (a, b) => ascending(b, a) : ascending;
  }

  static readonly stable = new ListOrder(undefined, false);

  static of(spec: ListOrderSpec | null | undefined): ListOrder {
    if (spec === null || spec === undefined) return ListOrder.stable;
    return new ListOrder(spec.field, spec.direction === "DESC");
  }

  encode(r: OrderKey): string {
    const stable = [r.clusterId, r.namespace ?? "", r.kind, r.name, r.uid];
    // The stable order's cursors are those lists have always issued: five strings.
    const key =
      this.field === undefined
        ? stable
        : [this.field, ...stable, ...(this.field === "CREATED" ? [r.createdAtMs ?? null] : [])];
    return Buffer.from(JSON.stringify(key)).toString("base64url");
  }

  /** The place a cursor names, as an object that compares like the one it was cut at. */
  decode(cursor: string): OrderKey {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
      parsed = undefined;
    }
    const foreign = new CursorError(`${quoteExcerpt(cursor)} is not a cursor this server issued`);
    if (!Array.isArray(parsed)) throw foreign;
    const issuedFor = parsed.length === 5 ? undefined : parsed[0];
    const stable = parsed.length === 5 ? parsed : parsed.slice(1, 6);
    if (stable.length !== 5 || !stable.every((part) => typeof part === "string")) throw foreign;
    if (issuedFor !== this.field) {
      const named = (field: unknown) =>
        typeof field === "string" ? `orderBy ${field}` : "the default order";
      throw new CursorError(
        `${quoteExcerpt(cursor)} is a cursor of ${named(issuedFor)}, not of ${named(this.field)}`,
      );
    }
    const created = this.field === "CREATED" ? parsed[6] : null;
    if (parsed.length !== (this.field === undefined ? 5 : this.field === "CREATED" ? 7 : 6)) throw foreign;
    if (created !== null && typeof created !== "number") throw foreign;
    const [clusterId, namespace, kind, name, uid] = stable as string[];
    return {
      clusterId: clusterId!,
      namespace: namespace!,
      kind: kind!,
      name: name!,
      uid: uid!,
      createdAtMs: created ?? undefined,
    };
  }
}
