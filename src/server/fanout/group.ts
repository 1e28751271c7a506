import type { ChangeEvent, ChangeFeed, ChangeSubscription } from "../../api/index.js";
import { projectChange, safeMatcher } from "../../api/index.js";
import type { FilterView, ResourceChange } from "../../graph/index.js";
import type { Render } from "./render.js";
import type { Subscriber } from "./subscriber.js";

/** Renders kept per group, so that subscribers resuming from a recent `since` share them too. */
const keptRenders = 512;

interface PendingChange {
  readonly sequence: number;
  readonly event: ChangeEvent;
}

export interface GroupHost {
  /** Asks for this group's pending changes to be rendered after the current turn. */
  schedule(group: Group): void;
  /** The group has no members left. */
  dropped(group: Group): void;
  readonly counters: { executed(): void };
}

/**
 * Subscribers of one operation (same document, operation name, variables but `since`, and auth scope):
 * one log listener, one filter, one execution and one serialization per change, whatever the number of
 * members. Changes committed in one turn are rendered together after it.
 */
export class Group {
  readonly members = new Set<Subscriber>();
  readonly feed: ChangeFeed;
  /** Queued changes one member may hold before it is dropped to RESYNC. */
  readonly capacity: number;
  private readonly matches: (resource: FilterView) => boolean;
  private readonly unsubscribe: () => void;
  private pending: PendingChange[] = [];
  private readonly renders = new Map<number, string | Promise<string>>();
  private rendering = false;

  constructor(
    readonly key: string,
    subscription: ChangeSubscription,
    private readonly render: Render,
    private readonly host: GroupHost,
  ) {
    this.feed = subscription.feed;
    this.capacity = subscription.options.capacity;
    this.matches = safeMatcher(subscription.options.matches);
    this.unsubscribe = this.feed.subscribe((change) => this.onChange(change));
  }

  get pendingChanges(): number {
    return this.pending.length;
  }

  project(change: ResourceChange): ChangeEvent | undefined {
    return projectChange(this.feed, change, this.matches);
  }

  join(member: Subscriber): void {
    this.members.add(member);
  }

  leave(member: Subscriber): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.unsubscribe();
    this.pending = [];
    this.renders.clear();
    this.host.dropped(this);
  }

  /** The rendered change, shared with every member that needs it. */
  renderAt(sequence: number, event: ChangeEvent): string | Promise<string> {
    const known = this.renders.get(sequence);
    if (known !== undefined) return known;
    this.host.counters.executed();
    const rendered = this.render(event);
    this.renders.set(sequence, rendered);
    if (this.renders.size > keptRenders) {
      const oldest = this.renders.keys().next();
      if (!oldest.done) this.renders.delete(oldest.value);
    }
    return rendered;
  }

  renderResync(at: number): string | Promise<string> {
    return this.render({ sequence: this.feed.cursor(at), type: "RESYNC", resource: null });
  }

  /** Renders what committed since the last call and hands it to every member, in order. */
  drain(): void {
    while (!this.rendering && this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      for (let i = 0; i < batch.length; i++) {
        const change = batch[i]!;
        const rendered = this.renderAt(change.sequence, change.event);
        if (typeof rendered === "string") {
          this.deliver(change, rendered);
          continue;
        }
        // A resolver answered asynchronously: the rest waits, so that order holds.
        this.rendering = true;
        this.pending = [...batch.slice(i + 1), ...this.pending];
        rendered.then(
          (payload) => this.resume(change, payload),
          () => this.resume(undefined, undefined),
        );
        return;
      }
    }
  }

  private resume(change: PendingChange | undefined, payload: string | undefined): void {
    this.rendering = false;
    if (change !== undefined && payload !== undefined) this.deliver(change, payload);
    this.host.schedule(this);
  }

  private deliver(change: PendingChange, payload: string): void {
    const objectKey = change.event.resource?.key;
    for (const member of this.members) member.enqueue(change.sequence, objectKey, payload);
  }

  private onChange(change: ResourceChange): void {
    const event = this.project(change);
    if (event === undefined) return;
    this.pending.push({ sequence: change.sequence, event });
    this.host.schedule(this);
  }
}
