// A partitioned leader end to end: the simulator churns, two watchers elect a leader over a Lease,
// and the simulator cuts the leader off (its bearer token's requests hang, its watches go silent). The
// leader cannot renew: it must stop publishing and exit with status 1 before the standby, which waits
// out the whole lease, starts leading; the change stream then holds the old writer's changes, then
// the new writer's, never the two interleaved.

import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsServer, natsServerMissing } from "../support/nats-server.js";
import { logLines } from "../support/processes.js";
import {
  type ChurningSimulator,
  churnPerSecond,
  describeProcesses,
  explained,
  type Replica,
  readChangeStream,
  readLease,
  simFault,
  startChurningSimulator,
  startElectedWatchers,
  streamNumberingProblems,
  tokenOf,
  untilOneLeader,
  writerRuns,
} from "../support/replicas.js";

/** Long enough for the leader to miss its renew deadline and exit, with room for a loaded machine. */
const exitTimeoutMs = 30_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function timeOf(line: Record<string, unknown> | undefined, what: string): number {
  if (typeof line?.time !== "number") throw new Error(`${what}: no log line with a numeric time`);
  return line.time;
}

describe.skipIf(natsServerMissing !== undefined)(
  `replication: a partitioned leader falls silent and exits${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let nats: NatsServer;
    let sim: ChurningSimulator;
    const replicas: Replica[] = [];
    const explain = () => describeProcesses(replicas, nats);

    beforeAll(async () => {
      nats = await NatsServer.start({ jetstream: true });
      sim = await startChurningSimulator(13);
    });

    afterAll(async () => {
      // Healed first, so that nothing waits on a request the partition holds.
      if (sim !== undefined) await simFault(sim, { action: "heal" }).catch(() => undefined);
      await Promise.all(replicas.map((replica) => replica.stop()));
      await sim?.close();
      await nats?.dispose();
    });

    it("exits with status 1 before the standby leads; the stream holds one writer's changes, then the other's", async () => {
      await explained(async () => {
        // The churn starts only once the watchers are up (see startElectedWatchers).
        const watchers = await startElectedWatchers(sim, nats, replicas);
        sim.startChurn(churnPerSecond, 13);
        const leader = await untilOneLeader(watchers);
        const standby = watchers.find((watcher) => watcher !== leader)!;
        // The leader publishes the churn for a while before it is cut off.
        await eventually(
          async () =>
            (await readChangeStream(nats)).messages.some((message) => message.writer === leader.name),
          30_000,
          `changes written by ${leader.name}`,
          500,
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const leaseBefore = await readLease(sim);

        await simFault(sim, {
          action: "partition",
          header: "authorization",
          pattern: `^Bearer ${escapeRegExp(tokenOf(leader.name))}$`,
        });
        const exit = await Promise.race([
          leader.exited,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), exitTimeoutMs)),
        ]);
        expect(exit, `${leader.name} exited within ${exitTimeoutMs} ms of the partition`).toBeDefined();
        expect(exit).toMatchObject({ code: 1, signal: null });
        const lost = logLines(leader.process, "leadership lost; exiting");
        expect(lost, `${leader.name} said why it exits`).toHaveLength(1);
        expect(lost[0]?.reason).toEqual(expect.any(String));

        expect(await untilOneLeader([standby])).toBe(standby);
        const started = logLines(standby.process, "started leading");
        expect(started, `${standby.name} said it started leading`).toHaveLength(1);
        expect(started[0]?.identity).toBe(standby.name);
        const startedLeadingAt = timeOf(started[0], `${standby.name} started leading`);
        const lostAt = timeOf(lost[0], `${leader.name} leadership lost`);
        expect(lostAt, "the old leader gave up before the new one started").toBeLessThan(startedLeadingAt);
        // Soft: when it fails, the ordering of the stream below is still worth knowing.
        expect
          .soft(exit!.at, "the old leader had exited before the new one started")
          .toBeLessThan(startedLeadingAt);
        const leaseAfter = await readLease(sim);
        expect(leaseAfter?.holderIdentity).toBe(standby.name);
        expect(leaseAfter?.leaseTransitions ?? 0).toBeGreaterThan(leaseBefore?.leaseTransitions ?? 0);

        // The new leader publishes for a while; then every change of the old writer comes first.
        await eventually(
          async () =>
            (await readChangeStream(nats)).messages.some((message) => message.writer === standby.name),
          30_000,
          `changes written by ${standby.name}`,
          500,
        );
        const stream = await readChangeStream(nats);
        expect(streamNumberingProblems(stream)).toEqual([]);
        expect(writerRuns(stream).map(([writer]) => writer)).toEqual([leader.name, standby.name]);
        console.info(
          `partition: ${leader.name} said "leadership lost" ${startedLeadingAt - lostAt} ms and exited ${startedLeadingAt - exit!.at} ms before ${standby.name} started leading; writers ${JSON.stringify(writerRuns(stream))}`,
        );
      }, explain);
    }, 150_000);
  },
);
