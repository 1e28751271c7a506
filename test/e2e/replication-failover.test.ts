// Failover end to end: two watchers elect a leader over a Lease in the simulator while it churns, two
// gateways build their graphs from the leader's JetStream change stream, and a client follows one
// gateway. The leader is killed (SIGKILL, no release): the standby must take the Lease once it expires,
// catch up with the stream and publish on from its end, so that both gateways, the new leader and the
// client end equal to the cluster, with the stream's sequences unbroken and written by one writer, then
// the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsServer, natsServerMissing } from "../support/nats-server.js";
import {
  type ChurningSimulator,
  CursorFollower,
  churnPerSecond,
  describeProcesses,
  election,
  explained,
  graphStateOf,
  type Replica,
  readChangeStream,
  readLease,
  replicaView,
  startChurningSimulator,
  startElectedWatchers,
  startGateway,
  streamNumberingProblems,
  streamState,
  truthState,
  untilEqual,
  untilOneLeader,
  untilReady,
  without,
  writerRuns,
} from "../support/replicas.js";

/**
 * How long after the kill the standby may take to report LEADER: the lease duration it waits from the
 * last renewal it saw, two retry periods for when it saw that renewal and for its next attempt, and
 * the time a process needs to catch up with the stream, start publishing and answer the query on a
 * loaded two-core machine. A bound on correct behaviour (the standby does not wait for anything else),
 * not a speed figure.
 */
const processOverheadMs = 3_000;
const takeoverBoundMs = election.leaseDurationMs + 2 * election.retryPeriodMs + processOverheadMs;

describe.skipIf(natsServerMissing !== undefined)(
  `replication: the standby takes over from a killed leader${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let nats: NatsServer;
    let sim: ChurningSimulator;
    const replicas: Replica[] = [];
    const explain = () => describeProcesses(replicas, nats);

    beforeAll(async () => {
      nats = await NatsServer.start({ jetstream: true });
      sim = await startChurningSimulator(7);
    });

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await sim?.close();
      await nats?.dispose();
    });

    it("hands over within the lease duration; gateways, the new leader and a client end equal to the cluster", async () => {
      await explained(async () => {
        // The churn starts only once the watchers are up (see startElectedWatchers).
        const watchers = await startElectedWatchers(sim, nats, replicas);
        const leader = await untilOneLeader(watchers);
        const standby = watchers.find((watcher) => watcher !== leader)!;
        const gateways: Replica[] = [];
        for (const name of ["gateway-1", "gateway-2"]) {
          const gateway = await startGateway(nats, name);
          replicas.push(gateway);
          gateways.push(gateway);
          await untilReady(gateway);
        }
        sim.startChurn(churnPerSecond, 7);

        const client = new CursorFollower();
        await client.start(gateways[0]!);
        // Mid-churn: the client sees changes go by before the leader dies.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(client.received.length, "changes the client saw before the kill").toBeGreaterThan(0);

        const leaseBefore = await readLease(sim);
        expect(leaseBefore?.holderIdentity).toBe(leader.name);
        const killedAt = Date.now();
        await leader.kill();

        let tookOverAt: number | undefined;
        let lastView = "";
        const deadline = killedAt + takeoverBoundMs + 30_000;
        while (tookOverAt === undefined && Date.now() < deadline) {
          const view = await replicaView(standby).catch((error: unknown) => String(error));
          lastView = JSON.stringify(view);
          if (typeof view !== "string" && view.role === "LEADER") tookOverAt = Date.now();
          else await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(tookOverAt, `the standby never reported LEADER; it last said ${lastView}`).toBeDefined();
        const takeoverMs = tookOverAt! - killedAt;
        console.info(`takeover: ${standby.name} reported LEADER ${takeoverMs} ms after the kill`);
        expect(takeoverMs, `takeover after the kill (bound ${takeoverBoundMs} ms)`).toBeLessThanOrEqual(
          takeoverBoundMs,
        );

        const leaseAfter = await readLease(sim);
        expect(leaseAfter?.holderIdentity).toBe(standby.name);
        expect(leaseAfter?.leaseTransitions ?? 0).toBeGreaterThan(leaseBefore?.leaseTransitions ?? 0);
        const view = await replicaView(standby);
        expect(view).toMatchObject({ role: "LEADER", identity: standby.name, leader: standby.name });
        expect(view.leaseTransitions ?? 0).toBeGreaterThan(leaseBefore?.leaseTransitions ?? 0);
        expect(view.leadingSince).not.toBeNull();

        // The new leader publishes the churn on before the cluster comes to rest.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        sim.stopChurn();
        // The Lease is renewed for as long as the leader lives: it never comes to rest, so it is left
        // out of every comparison.
        const leaseOnly = new Set([leaseAfter!.uid]);
        await untilEqual(
          "gateways, the new leader and the client equal to the simulator",
          () => truthState(sim, leaseOnly),
          {
            [gateways[0]!.name]: async () => without(await graphStateOf(gateways[0]!), leaseOnly),
            [gateways[1]!.name]: async () => without(await graphStateOf(gateways[1]!), leaseOnly),
            [standby.name]: async () => without(await graphStateOf(standby), leaseOnly),
            client: () => without(client.state, leaseOnly),
          },
        );
        await client.pause();
        expect(client.problems, "the client's sequences").toEqual([]);
        expect(new Set(client.received.map((change) => change.via))).toEqual(new Set([gateways[0]!.name]));

        const stream = await readChangeStream(nats);
        expect(streamNumberingProblems(stream)).toEqual([]);
        expect(writerRuns(stream).map(([writer]) => writer)).toEqual([leader.name, standby.name]);
        expect(without(streamState(stream), leaseOnly)).toEqual(await truthState(sim, leaseOnly));
        // The client followed the stream itself: its changes are the stream's from where it listed.
        const streamChanges = stream.messages
          .filter((message) => message.seq > client.startedAfter && message.seq <= client.lastSequence)
          .map(({ seq, type, uid, resourceVersion }) => ({ sequence: seq, type, uid, resourceVersion }));
        expect(
          client.received.map(({ sequence, type, uid, resourceVersion }) => ({
            sequence,
            type,
            uid,
            resourceVersion,
          })),
        ).toEqual(streamChanges);
        expect(sim.churned).toBeGreaterThan(500);
      }, explain);
    }, 180_000);
  },
);
