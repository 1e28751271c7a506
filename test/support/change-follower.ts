// What a client that follows resourceChanges from the first sequence ends up holding, and what the
// graph holds when read page by page: the two pictures end-to-end tests compare with a cluster.
import {
  FollowChangesDocument,
  type FollowChangesSubscription,
  ResourcesDocument,
  type ResourcesQuery,
} from "../generated/graphql.js";
import { type ClientOptions, queryData, type Subscription, subscribe } from "./graphql-client.js";

/** uid → resourceVersion */
export type State = Map<string, string>;

/** Follows resourceChanges from sequence 0 and keeps the state the changes add up to. */
export class ChangeFollower {
  readonly state: State = new Map();
  /** Every uid a DELETED change named. */
  readonly deleted = new Set<string>();
  readonly problems: string[] = [];
  private last = 0;
  private done = false;
  private readonly loop: Promise<void>;
  private readonly subscription: Subscription<FollowChangesSubscription>;

  /** `epoch` is the part of a sequence cursor before its last colon, as a query's `sequence` gives it. */
  constructor(graphqlUrl: string, epoch: string, options: ClientOptions = {}) {
    this.subscription = subscribe(graphqlUrl, FollowChangesDocument, { since: `${epoch}:0` }, options);
    this.loop = this.follow();
  }

  private async follow(): Promise<void> {
    while (!this.done) {
      let event: FollowChangesSubscription;
      try {
        event = await this.subscription.next(Number.POSITIVE_INFINITY);
      } catch (error) {
        if (!this.done) this.problems.push(`subscription failed: ${String(error)}`);
        return;
      }
      const change = event.resourceChanges;
      const sequence = Number(change.sequence.slice(change.sequence.lastIndexOf(":") + 1));
      if (sequence !== this.last + 1) this.problems.push(`sequence ${sequence} after ${this.last}`);
      this.last = sequence;
      if (change.type === "RESYNC" || !change.resource) {
        this.problems.push(`unexpected ${change.type} at ${sequence}`);
        continue;
      }
      if (change.type === "DELETED") {
        this.state.delete(change.resource.uid);
        this.deleted.add(change.resource.uid);
      } else this.state.set(change.resource.uid, change.resource.resourceVersion);
    }
  }

  async close(): Promise<void> {
    this.done = true;
    await this.subscription.close();
    await this.loop;
  }
}

/** The epoch of this server's change log, for a follower that starts at its beginning. */
export async function changeLogEpoch(graphqlUrl: string, token?: string): Promise<string> {
  const { resources } = await queryData(graphqlUrl, ResourcesDocument, { first: 0 }, token);
  return resources.sequence.slice(0, resources.sequence.lastIndexOf(":"));
}

/** uid → resourceVersion of everything the graph holds that matches the filter. */
export async function graphState(
  graphqlUrl: string,
  filter: Record<string, unknown> = {},
  token?: string,
): Promise<State> {
  const state: State = new Map();
  let after: string | null = null;
  for (;;) {
    const page: ResourcesQuery = await queryData(
      graphqlUrl,
      ResourcesDocument,
      { filter, first: 1000, after },
      token,
    );
    for (const edge of page.resources.edges) state.set(edge.node.uid, edge.node.resourceVersion);
    if (!page.resources.pageInfo.hasNextPage) return state;
    after = page.resources.pageInfo.endCursor ?? null;
  }
}

/** What differs between two pictures, as short lines for a failure message. */
export function difference(expected: State, actual: State): string[] {
  const out: string[] = [];
  for (const [uid, rv] of expected) {
    if (!actual.has(uid)) out.push(`missing ${uid}`);
    else if (actual.get(uid) !== rv) out.push(`${uid} at ${actual.get(uid)}, want ${rv}`);
  }
  for (const uid of actual.keys()) if (!expected.has(uid)) out.push(`ghost ${uid}`);
  return out;
}
