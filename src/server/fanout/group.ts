import type { FanoutEvent, FanoutSource, Sequenced, SequencedFeed } from "../../api/index.js";
import type { Render } from "./render.js";
import type { Subscriber } from "./subscriber.js";

/** Renders kept per group, so that subscribers resuming from a recent `since` share them too. */
const keptRenders = 512;
/**
 * Committed changes a group may have waiting to be matched and rendered; past this the server is behind
 * and its members RESYNC. Waiting costs a reference each: the change log holds the changes anyway.
 */
const maxPendingChanges = 50_000;
/** Catch-up renders (RESYNC) kept per group: members that overflow in one batch share one. */
const keptResyncs = 16;

export interface GroupHost {
  /** Asks for this group's pending changes to be rendered after the current turn. */
  schedule(group: Group): void;
  /** The group has no members left. */
  dropped(group: Group): void;
  readonly counters: { executed(): void };
}

/**
 * Subscribers of one operation (same document, operation name, variables but `since`, and auth scope):
 * one feed listener, one filter, one execution and one serialization per change, whatever the number of
 * members. Changes committed in one turn are matched and rendered together after it, in slices: a
 * commit only appends to the group's list, so that a relist of thousands of objects cannot hold the
 * event loop for the time every group's filter takes on every one of them.
 */
export class Group {
  /** Members changes are handed to. */
  readonly members = new Set<Subscriber>();
  /** Members whose connection is full and who are owed a RESYNC: they take nothing until it drains. */
  private readonly parked = new Set<Subscriber>();
  readonly feed: SequencedFeed<Sequenced>;
  /** Queued changes one member may hold before it is dropped to RESYNC. */
  readonly capacity: number;
  /** What matching one change against the group's filter costs, in filter evaluations. */
  readonly evaluations: number;
  private readonly unsubscribe: () => void;
  private pending: Sequenced[] = [];
  /** How many of `pending` have been handed out: the list is cut only now and then, not every slice. */
  private handled = 0;
  private readonly renders = new Map<number, Buffer | Promise<Buffer>>();
  private readonly resyncs = new Map<number, readonly (Buffer | Promise<Buffer>)[]>();
  private rendering = false;

  constructor(
    readonly key: string,
    readonly source: FanoutSource<Sequenced>,
    private readonly render: Render,
    private readonly host: GroupHost,
  ) {
    this.feed = source.feed;
    this.capacity = source.capacity;
    this.evaluations = source.evaluations;
    this.unsubscribe = this.feed.subscribe((change) => this.onChange(change));
  }

  get pendingChanges(): number {
    return this.pending.length - this.handled;
  }

  project(change: Sequenced): FanoutEvent | undefined {
    return this.source.project(change);
  }

  join(member: Subscriber): void {
    this.members.add(member);
  }

  park(member: Subscriber): void {
    if (this.members.delete(member)) this.parked.add(member);
  }

  unpark(member: Subscriber): void {
    if (this.parked.delete(member)) this.members.add(member);
  }

  leave(member: Subscriber): void {
    if (!this.members.delete(member) && !this.parked.delete(member)) return;
    if (this.members.size > 0 || this.parked.size > 0) return;
    this.unsubscribe();
    this.dropPending();
    this.renders.clear();
    this.resyncs.clear();
    this.host.dropped(this);
  }

  /** The rendered change, shared with every member that needs it. */
  renderAt(sequence: number, event: FanoutEvent): Buffer | Promise<Buffer> {
    const known = this.renders.get(sequence);
    if (known !== undefined) return known;
    this.host.counters.executed();
    const rendered = this.render(event.root);
    this.renders.set(sequence, rendered);
    if (this.renders.size > keptRenders) {
      const oldest = this.renders.keys().next();
      if (!oldest.done) this.renders.delete(oldest.value);
    }
    return rendered;
  }

  /** What stands in for the changes up to `at` a member missed, rendered once for every member owed it. */
  renderResync(at: number): readonly (Buffer | Promise<Buffer>)[] {
    const known = this.resyncs.get(at);
    if (known !== undefined) return known;
    const rendered = this.source.catchUp(at).map((root) => this.render(root));
    this.resyncs.set(at, rendered);
    if (this.resyncs.size > keptResyncs) {
      const oldest = this.resyncs.keys().next();
      if (!oldest.done) this.resyncs.delete(oldest.value);
    }
    return rendered;
  }

  /**
   * Matches what committed since the last call against the filter, renders what passes and hands it to
   * every member, in order, until `deadline` (performance.now()); returns false when it stopped for the
   * deadline with work left.
   */
  drain(deadline: number): boolean {
    // With every member parked nobody would read the renders; their RESYNC covers these changes.
    if (this.members.size === 0 && !this.rendering) this.dropPending();
    if (this.pendingChanges > maxPendingChanges) this.overloaded();
    while (!this.rendering && this.handled < this.pending.length) {
      const change = this.pending[this.handled++]!;
      const event = this.project(change);
      if (event === undefined) {
        if (performance.now() > deadline) break;
        continue;
      }
      const rendered = this.renderAt(change.sequence, event);
      if (!(rendered instanceof Promise)) {
        this.deliver(change.sequence, event, rendered);
        if (performance.now() > deadline) break;
        continue;
      }
      // A resolver answered asynchronously: the rest waits, so that order holds.
      this.rendering = true;
      rendered.then(
        (payload) => this.resume(change.sequence, event, payload),
        () => this.resume(change.sequence, event, undefined),
      );
    }
    if (this.handled === this.pending.length) this.dropPending();
    else if (this.handled > this.pending.length / 2) {
      // Cut once more than half is handed out, so that each change is copied a bounded number of times.
      this.pending = this.pending.slice(this.handled);
      this.handled = 0;
    }
    return this.rendering || this.pendingChanges === 0;
  }

  private dropPending(): void {
    this.pending = [];
    this.handled = 0;
  }

  /**
   * More changes wait than the server can render and hand out: every member gets one RESYNC for all of
   * them, so that memory stays bounded however far the server as a whole falls behind.
   */
  private overloaded(): void {
    const last = this.pending.at(-1)!.sequence;
    this.dropPending();
    for (const member of [...this.members]) member.resyncFrom(last);
  }

  private resume(sequence: number, event: FanoutEvent, payload: Buffer | undefined): void {
    this.rendering = false;
    if (payload !== undefined) this.deliver(sequence, event, payload);
    this.host.schedule(this);
  }

  private deliver(sequence: number, event: FanoutEvent, payload: Buffer): void {
    for (const member of this.members) member.enqueue(sequence, event.key, payload);
  }

  private onChange(change: Sequenced): void {
    this.pending.push(change);
    this.host.schedule(this);
  }
}
