/**
 * A secondary index: value → the set of stored objects that have it. Empty sets are dropped. It holds
 * the objects themselves, not their keys, so a scan reads no map per candidate and a snapshot of a
 * slice is one array copy.
 */
export class IndexMap<T> {
  private readonly sets = new Map<string, Set<T>>();

  add(value: string, item: T): void {
    let set = this.sets.get(value);
    if (set === undefined) {
      set = new Set();
      this.sets.set(value, set);
    }
    set.add(item);
  }

  remove(value: string, item: T): void {
    const set = this.sets.get(value);
    if (set === undefined) return;
    set.delete(item);
    if (set.size === 0) this.sets.delete(value);
  }

  get(value: string): ReadonlySet<T> {
    return this.sets.get(value) ?? (EMPTY as ReadonlySet<T>);
  }
}

const EMPTY: ReadonlySet<never> = new Set();
