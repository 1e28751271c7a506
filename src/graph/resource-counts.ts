import type { OwnerReference } from "../kube/index.js";
import { CandidateScan } from "./candidate-scan.js";
import type { ResourcePredicate } from "./filter.js";
import type { FilterView, StoredResource } from "./types.js";

/** What counts are grouped by; KIND groups by apiVersion and kind. */
export type CountGrouping = "KIND" | "NAMESPACE" | "CLUSTER";

/** One group's count; the fields it is not grouped by are null. */
export interface ResourceCount {
  clusterId: string | null;
  /** "" for cluster-scoped objects, as the namespaces filter names them. */
  namespace: string | null;
  apiVersion: string | null;
  kind: string | null;
  count: number;
}

const NO_STRINGS: Readonly<Record<string, string>> = Object.freeze({});
const NO_OWNERS: readonly OwnerReference[] = Object.freeze([]);

/**
 * The objects of one cluster, namespace, apiVersion and kind, counted: as a filter sees them, it has
 * only those four, so a filter that reads nothing else matches it as it would match each of them.
 */
export interface CountCell extends FilterView {
  count: number;
}

export function countKeyOf(
  r: Pick<StoredResource, "clusterId" | "namespace" | "apiVersion" | "kind">,
): string {
  return `${r.clusterId}|${r.namespace ?? ""}|${r.apiVersion}|${r.kind}`;
}

/**
 * How many objects each cluster, namespace, apiVersion and kind holds, kept as objects come and go: the
 * counts of a filter that narrows by nothing else are read from these cells, never from the objects,
 * whatever the number of objects.
 */
export class CountCells {
  private readonly cells = new Map<string, CountCell>();

  add(r: StoredResource): void {
    const key = countKeyOf(r);
    const cell = this.cells.get(key);
    if (cell !== undefined) {
      cell.count++;
      return;
    }
    this.cells.set(key, {
      clusterId: r.clusterId,
      namespace: r.namespace,
      apiVersion: r.apiVersion,
      kind: r.kind,
      uid: "",
      name: "",
      labels: NO_STRINGS,
      annotations: NO_STRINGS,
      ownerReferences: NO_OWNERS,
      fields: NO_STRINGS,
      count: 1,
    });
  }

  remove(r: StoredResource): void {
    const key = countKeyOf(r);
    const cell = this.cells.get(key);
    if (cell === undefined) return;
    if (--cell.count === 0) this.cells.delete(key);
  }

  /** The counts of the cells that match, grouped. */
  counts(matches: ResourcePredicate, by: CountGrouping): ResourceCount[] {
    const groups = new GroupCounts(by);
    for (const cell of this.cells.values()) if (matches(cell)) groups.add(cell, cell.count);
    return groups.sorted();
  }
}

/** Counts summed per group, handed out by count (largest first), then by key. */
export class GroupCounts {
  private readonly groups = new Map<string, ResourceCount>();

  constructor(private readonly by: CountGrouping) {}

  add(r: Pick<StoredResource, "clusterId" | "namespace" | "apiVersion" | "kind">, count: number): void {
    const key =
      this.by === "KIND"
        ? `${r.apiVersion}|${r.kind}`
        : this.by === "NAMESPACE"
          ? (r.namespace ?? "")
          : r.clusterId;
    const group = this.groups.get(key);
    if (group !== undefined) {
      group.count += count;
      return;
    }
    this.groups.set(key, {
      clusterId: this.by === "CLUSTER" ? r.clusterId : null,
      namespace: this.by === "NAMESPACE" ? (r.namespace ?? "") : null,
      apiVersion: this.by === "KIND" ? r.apiVersion : null,
      kind: this.by === "KIND" ? r.kind : null,
      count,
    });
  }

  sorted(): ResourceCount[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count || compareKeys(a, b));
  }
}

function compareKeys(a: ResourceCount, b: ResourceCount): number {
  for (const field of ["clusterId", "namespace", "apiVersion", "kind"] as const) {
    const x = a[field] ?? "";
    const y = b[field] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Counts of the matches of a scan, for a filter the cells cannot answer. */
export class CountScan extends CandidateScan {
  private readonly groups: GroupCounts;

  constructor(candidates: IterableIterator<StoredResource>, matches: ResourcePredicate, by: CountGrouping) {
    super(candidates, matches);
    this.groups = new GroupCounts(by);
  }

  protected visit(r: StoredResource): void {
    this.groups.add(r, 1);
  }

  counts(): ResourceCount[] {
    return this.groups.sorted();
  }
}
