// A subscriber that lists the Pods, then follows from the list's sequence while the simulator churns at
// 1,000 changes a second, must end equal to the simulator's own truth: nothing lost, no ghost, nothing
// stale. Once over graphql-ws, once over graphql-sse.
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FollowObjectsDocument, ListObjectsDocument, type ListObjectsQuery } from "../generated/graphql.js";
import { follow, type Transport } from "../support/follow.js";
import { queryData } from "../support/graphql-client.js";
import { type SimAndServe, startSimAndServe } from "../support/processes.js";

let processes: SimAndServe;

beforeAll(async () => {
  processes = await startSimAndServe(["--churn", "1000", "--seed", "5"]);
});

afterAll(async () => {
  await processes?.stop();
});

const filter = { kinds: ["Pod"] };
/**
 * The comparison proves something only if the follower went through real churn while it followed. That
 * is a number of changes, not a rate: it follows for at least followMs and until it has more than
 * leastChanges, so a loaded machine follows longer instead of failing, and a fast one still follows for
 * the whole of followMs.
 */
const followMs = 20_000;
const leastChanges = 1000;
/** Bounds only a follower that gets (next to) nothing: far beyond what leastChanges takes here. */
const followBoundMs = 80_000;

interface Held {
  /** uid → resourceVersion of what the follower holds. */
  objects: Map<string, number>;
  /** uid → resourceVersion of its deletion, so that an older change replayed later cannot bring it back. */
  deleted: Map<string, number>;
}

type Change = { type: string; sequence: string; resource?: { uid: string; resourceVersion: string } | null };

/** Every Pod page by page; the first page's sequence is where following starts. */
async function list(url: string): Promise<{ sequence: string; held: Held }> {
  const held: Held = { objects: new Map(), deleted: new Map() };
  let after: string | null = null;
  let sequence: string | undefined;
  for (;;) {
    const page: ListObjectsQuery = await queryData(url, ListObjectsDocument, { filter, first: 1000, after });
    sequence ??= page.resources.sequence;
    for (const edge of page.resources.edges)
      apply(held, { uid: edge.node.uid, rv: Number(edge.node.resourceVersion), gone: false });
    if (!page.resources.pageInfo.hasNextPage) break;
    after = page.resources.pageInfo.endCursor ?? null;
  }
  return { sequence: sequence!, held };
}

/** Applies a state by resourceVersion, so that pages read later than the cursor and replayed changes agree. */
function apply(held: Held, change: { uid: string; rv: number; gone: boolean }): void {
  const known = Math.max(held.objects.get(change.uid) ?? 0, held.deleted.get(change.uid) ?? 0);
  if (change.rv < known) return;
  if (change.gone) {
    held.objects.delete(change.uid);
    held.deleted.set(change.uid, change.rv);
  } else {
    held.objects.set(change.uid, change.rv);
  }
}

async function simPods(): Promise<{ rv: number; pods: Map<string, number> }> {
  const body = (await (await fetch(`${processes.sim.origin}/api/v1/pods`)).json()) as {
    metadata: { resourceVersion: string };
    items: { metadata: { uid: string; resourceVersion: string } }[];
  };
  return {
    rv: Number(body.metadata.resourceVersion),
    pods: new Map(body.items.map((p) => [p.metadata.uid, Number(p.metadata.resourceVersion)])),
  };
}

/**
 * The simulator churns on while the two are compared, so they are compared at the simulator's list: what
 * the follower holds must be at least as new as the list for every Pod the list has (nothing lost or
 * stale), and anything the follower holds that the list lacks must have been created after it (no ghost);
 * a Pod the list has and the follower lacks must have been deleted after it.
 */
function compare(truth: { rv: number; pods: Map<string, number> }, held: Held): string[] {
  const problems: string[] = [];
  for (const [uid, rv] of truth.pods) {
    const mine = held.objects.get(uid);
    if (mine === undefined) {
      if ((held.deleted.get(uid) ?? 0) <= truth.rv) problems.push(`lost ${uid}@${rv}`);
    } else if (mine < rv) {
      problems.push(`stale ${uid}: ${mine} < ${rv}`);
    }
  }
  for (const [uid, rv] of held.objects) {
    if (!truth.pods.has(uid) && rv <= truth.rv) problems.push(`ghost ${uid}@${rv}`);
  }
  return problems;
}

function onChange(held: Held, change: Change, resynced: { count: number }): void {
  if (change.type === "RESYNC") {
    resynced.count++;
    return;
  }
  const resource = change.resource;
  if (resource)
    apply(held, { uid: resource.uid, rv: Number(resource.resourceVersion), gone: change.type === "DELETED" });
}

describe.each<Transport>(["graphql-ws", "graphql-sse"])("following Pods over %s under churn", (transport) => {
  it("ends equal to the simulator's truth", async () => {
    const { graphqlUrl } = processes;
    const { sequence, held } = await list(graphqlUrl);
    const resynced = { count: 0 };
    let changes = 0;
    const following = follow(
      transport,
      graphqlUrl,
      FollowObjectsDocument,
      { filter, since: sequence },
      (data) => {
        changes++;
        onChange(held, data.resourceChanges, resynced);
      },
    );
    await new Promise((resolve) => setTimeout(resolve, followMs));
    await eventually(
      () => changes > leastChanges,
      followBoundMs - followMs,
      `more than ${leastChanges} Pod changes to reach the follower`,
    ).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}: ${changes} arrived`);
    });
    const truth = await simPods();
    // What the simulator committed up to its list reaches the follower within a moment.
    let problems = compare(truth, held);
    for (let attempt = 0; problems.length > 0 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      problems = compare(truth, held);
    }
    await following.stop();
    expect(resynced.count).toBe(0);
    expect(truth.pods.size).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 120_000);
});
