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
import { ApiResourcesDocument, type ApiResourcesQuery } from "../generated/graphql.js";
import {
  ChangeFollower,
  changeLogEpoch,
  difference,
  graphState,
  type State,
} from "../support/change-follower.js";
import { queryData } from "../support/graphql-client.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

let sim: RunningSimulator;
let serve: RunningProcess;
let graphqlUrl: string;
let types: ApiResourcesQuery["apiResources"];
let follower: ChangeFollower;

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

/** Waits until the graph and the follower both equal the simulator; fails with what still differs. */
async function expectConverged(what: string): Promise<void> {
  let lastDiff: string[] = [];
  await eventually(
    async () => {
      const expected = simState();
      lastDiff = difference(expected, await graphState(graphqlUrl)).map((d) => `graph: ${d}`);
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
  follower = new ChangeFollower(graphqlUrl, await changeLogEpoch(graphqlUrl));
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
