// One copy of what repeats across objects. The pods of one ReplicaSet carry the same labels and the same
// owner; every object of a namespace names it. JSON.parse gives each its own copy, and at 150,000 pods
// those copies are a good part of what the graph holds besides the objects' text. Values shared here
// are frozen: nothing that reads them may change them.
import type { OwnerReference } from "../kube/index.js";

/** Entries a table holds before it starts again: objects keep what they were given, new ones share anew. */
const defaultMaxEntries = 200_000;

class BoundedTable<V> {
  private entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  shared(key: string, value: () => V): V {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    // Cleared rather than evicted one by one: a table that fills is one whose values churn
    // (rollouts, new owners), and what it held is then mostly gone from the graph too.
    if (this.entries.size >= this.maxEntries) this.entries = new Map();
    const made = value();
    this.entries.set(key, made);
    return made;
  }
}

export class Interner {
  private readonly strings: BoundedTable<string>;
  private readonly maps: BoundedTable<Readonly<Record<string, string>>>;
  private readonly owners: BoundedTable<readonly OwnerReference[]>;

  constructor(maxEntries = defaultMaxEntries) {
    this.strings = new BoundedTable(maxEntries);
    this.maps = new BoundedTable(maxEntries);
    this.owners = new BoundedTable(maxEntries);
  }

  string(value: string): string {
    return this.strings.shared(value, () => value);
  }

  /** A string map equal to `map`, shared with every other equal one (keys in the same order). */
  map(map: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return this.maps.shared(JSON.stringify(map), () => {
      const copy: Record<string, string> = {};
      for (const key in map) copy[key] = this.string(map[key]!);
      return Object.freeze(copy);
    });
  }

  /** Owner references equal to `owners`, shared with every other equal list. */
  ownerReferences(owners: readonly OwnerReference[]): readonly OwnerReference[] {
    return this.owners.shared(JSON.stringify(owners), () =>
      Object.freeze(owners.map((owner) => Object.freeze({ ...owner }))),
    );
  }
}
