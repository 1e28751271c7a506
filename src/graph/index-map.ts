/** A secondary index: value → the set of primary keys that have it. Empty sets are dropped. */
export class IndexMap {
  private readonly sets = new Map<string, Set<string>>();

  add(value: string, key: string): void {
    let set = this.sets.get(value);
    if (set === undefined) {
      set = new Set();
      this.sets.set(value, set);
    }
    set.add(key);
  }

  remove(value: string, key: string): void {
    const set = this.sets.get(value);
    if (set === undefined) return;
    set.delete(key);
    if (set.size === 0) this.sets.delete(value);
  }

  get(value: string): ReadonlySet<string> {
    return this.sets.get(value) ?? EMPTY;
  }

  values(): IterableIterator<string> {
    return this.sets.keys();
  }
}

const EMPTY: ReadonlySet<string> = new Set();
