// What the server's fan-out needs of a subscription to share it among alike subscribers: a feed with a
// sequence per entry, where a new subscriber starts, how one subscription sees an entry, and what it is
// sent for entries it missed. resourceChanges (the change log) and syncStatus are two such sources.

/** One entry of a feed: its position, strictly increasing by one. */
export interface Sequenced {
  readonly sequence: number;
}

export interface SequencedFeed<C extends Sequenced> {
  /** The sequence of the last entry; 0 before the first. */
  readonly sequence: number;
  cursor(sequence?: number): string;
  parseCursor(text: string): number | undefined;
  /** The entry with this sequence, while it is retained. */
  changeAt(sequence: number): C | undefined;
  subscribe(listener: (change: C) => void): () => void;
}

/** Where a subscriber starts: live only, replaying the retained entries from `from`, or caught up first. */
export type ResumePoint =
  | { kind: "live" }
  | { kind: "backlog"; from: number }
  | { kind: "resync"; at: number };

/** What one subscriber is sent for an entry: the root value the operation renders, and what it coalesces by. */
export interface FanoutEvent {
  readonly root: unknown;
  /** Queued events with the same key may be replaced by the newest (the object's latest state). */
  readonly key: string | undefined;
}

export interface FanoutSource<C extends Sequenced> {
  readonly feed: SequencedFeed<C>;
  /** Events one subscriber may have queued before it is caught up afresh. */
  readonly capacity: number;
  /** What matching one entry costs, in filter evaluations (the server bounds their sum over groups). */
  readonly evaluations: number;
  /** Where a subscriber that joins now starts; read in the turn it joins. */
  start(): ResumePoint;
  /** How this subscription sees an entry; undefined when it is not for it. Never throws. */
  project(change: C): FanoutEvent | undefined;
  /**
   * The roots sent to a subscriber in place of the entries up to `at` it did not get (RESYNC for
   * resource changes, the current statuses for syncStatus); entries after `at` follow them.
   */
  catchUp(at: number): readonly unknown[];
}

/** Whether a subscribe resolver's result is one the fan-out can run. */
export function isFanoutSource(value: unknown): value is FanoutSource<Sequenced> {
  return value instanceof SharedSubscription;
}

/** The base of every source a subscribe resolver returns, so the server can recognise one. */
export abstract class SharedSubscription<C extends Sequenced> implements FanoutSource<C> {
  abstract readonly feed: SequencedFeed<C>;
  abstract readonly capacity: number;
  abstract readonly evaluations: number;
  abstract start(): ResumePoint;
  abstract project(change: C): FanoutEvent | undefined;
  abstract catchUp(at: number): readonly unknown[];
}
