// Faults end to end: the simulator (in this process, so the test can pause its churn) injects each
// fault while `meshsync serve` runs as a real process. After each fault the graph must equal the
// simulator exactly, and a subscriber that has followed the change log from sequence 0 must hold the
// same state: nothing lost, nothing invented, no gap and no duplicate in between.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Fault, type RunningSimulator, startSimulator } from "@meshsync/sim";
import { type RunningChurn, startChurn } from "@meshsync/sim/churn";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiResourcesDocument,
  type ApiResourcesQuery,
  FollowChangesDocument,
  type FollowChangesSubscription,
  ResourcesDocument,
  type ResourcesQuery,
} from "../generated/graphql.js";
import { queryData, type Subscription, subscribe } from "../support/graphql-client.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

type State = Map<string, string>; // uid → resourceVersion

let sim: RunningSimulator;
let serve: RunningProcess;
let graphqlUrl: string;
let types: ApiResourcesQuery["apiResources"];
let follower: Follower;

/** Follows resourceChanges from the first sequence and keeps the state the changes add up to. */
class Follower {
  readonly state: State = new Map();
  readonly problems: string[] = [];
  private last = 0;
  private done = false;
  private readonly loop: Promise<void>;

  constructor(private readonly subscription: Subscription<FollowChangesSubscription>) {
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
      if (change.type === "DELETED") this.state.delete(change.resource.uid);
      else this.state.set(change.resource.uid, change.resource.resourceVersion);
    }
  }

  async close(): Promise<void> {
    this.done = true;
    await this.subscription.close();
    await this.loop;
  }
}

function simState(): State {
  const state: State = new Map();
  for (const type of types) {
    const [group, version] = type.apiVersion.includes("/")
      ? type.apiVersion.split("/")
      : ["", type.apiVersion];
    for (const object of sim.api.list(group!, version!, type.resource)) {
      state.set(String(object.metadata?.uid), String(object.metadata?.resourceVersion));
    }
  }
  return state;
}

async function graphState(): Promise<State> {
  const state: State = new Map();
  let after: string | null = null;
  for (;;) {
    const page: ResourcesQuery = await queryData(graphqlUrl, ResourcesDocument, { first: 1000, after });
    for (const edge of page.resources.edges) state.set(edge.node.uid, edge.node.resourceVersion);
    if (!page.resources.pageInfo.hasNextPage) return state;
    after = page.resources.pageInfo.endCursor ?? null;
  }
}

function difference(expected: State, actual: State): string[] {
  const out: string[] = [];
  for (const [uid, rv] of expected) {
    if (!actual.has(uid)) out.push(`missing ${uid}`);
    else if (actual.get(uid) !== rv) out.push(`${uid} at ${actual.get(uid)}, want ${rv}`);
  }
  for (const uid of actual.keys()) if (!expected.has(uid)) out.push(`ghost ${uid}`);
  return out;
}

/** Waits until the graph and the follower both equal the simulator; fails with what still differs. */
async function expectConverged(what: string): Promise<void> {
  let lastDiff: string[] = [];
  await eventually(
    async () => {
      const expected = simState();
      lastDiff = difference(expected, await graphState()).map((d) => `graph: ${d}`);
      lastDiff.push(...difference(expected, follower.state).map((d) => `subscriber: ${d}`));
      return lastDiff.length === 0;
    },
    45_000,
    `convergence after ${what}`,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\nstill different: ${lastDiff.slice(0, 10).join("; ")}`);
  });
  expect(follower.problems).toEqual([]);
}

async function churnThrough(fault: Fault | undefined, ms: number): Promise<void> {
  const churn: RunningChurn = startChurn(sim.api, 40, Date.now() % 1000);
  try {
    if (fault) sim.fault(fault);
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    churn.stop();
    sim.fault({ action: "clear" });
  }
  expect(churn.stats.creates + churn.stats.updates + churn.stats.deletes).toBeGreaterThan(0);
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: "demo", seed: 11, bookmarkIntervalMs: 1_000 });
  const kubeconfig = join(tempDir("meshsync-faults-"), "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  serve = await startMeshsync(["serve", "--port", "0", "--kubeconfig", kubeconfig, "--stall-timeout", "3"]);
  graphqlUrl = `${serve.origin}/graphql`;
  await eventually(async () => (await fetch(`${serve.origin}/readyz`)).status === 200, 30_000, "serve ready");
  types = (await queryData(graphqlUrl, ApiResourcesDocument, {})).apiResources;
  const { resources } = await queryData(graphqlUrl, ResourcesDocument, { first: 0 });
  const epoch = resources.sequence.slice(0, resources.sequence.lastIndexOf(":"));
  follower = new Follower(subscribe(graphqlUrl, FollowChangesDocument, { since: `${epoch}:0` }));
  await expectConverged("the first sync");
}, 90_000);

afterAll(async () => {
  await follower?.close();
  await serve?.stop();
  await sim?.close();
});

describe("meshsync serve under simulator faults, with churn", () => {
  const faults: [string, Fault | undefined][] = [
    ["churn alone", undefined],
    ["every watch dropped", { action: "drop-watches" }],
    ["streams stalled", { action: "stall-watches", newStreamsForMs: 1_500 }],
    ["410 on watch", { action: "fail", status: 410, count: 5, watchOnly: true }],
    ["429 burst with Retry-After", { action: "fail", status: 429, count: 30, retryAfterSeconds: 1 }],
    ["500 burst", { action: "fail", status: 500, count: 30 }],
    ["history compacted", { action: "compact" }],
    ["restart with a new resourceVersion epoch", { action: "restart" }],
  ];
  for (const [name, fault] of faults) {
    it(`converges after ${name}`, async () => {
      await churnThrough(fault, 2_000);
      await expectConverged(name);
    }, 60_000);
  }
});
