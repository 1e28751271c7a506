// Gateways end to end: one watcher publishes a churning cluster to its JetStream change stream and two
// gateways build their graphs from it. Every replica hands out the stream's cursors, so a client that
// follows one gateway and moves to the other resumes where it left off, missing and repeating nothing.
// nats-server killed and started again mid-churn (its storage kept) costs no change either: the stream
// stays numbered 1..N, each change written once, and the gateways end equal to the cluster.

import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeLogEpoch } from "../support/change-follower.js";
import { NatsServer, natsServerMissing } from "../support/nats-server.js";
import {
  type ChurningSimulator,
  CursorFollower,
  churnPerSecond,
  cursorOf,
  describeProcesses,
  explained,
  graphStateOf,
  type Replica,
  readChangeStream,
  startChurningSimulator,
  startGateway,
  startWatcher,
  streamNumberingProblems,
  streamState,
  truthState,
  untilEqual,
  untilReady,
  writerRuns,
} from "../support/replicas.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(natsServerMissing !== undefined)(
  `replication: gateways share the stream's cursors${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let nats: NatsServer;
    let sim: ChurningSimulator;
    let watcher: Replica;
    let gateways: Replica[];
    const replicas: Replica[] = [];
    const explain = () => describeProcesses(replicas, nats);

    beforeAll(async () => {
      nats = await NatsServer.start({ jetstream: true });
      sim = await startChurningSimulator(8);
      watcher = await startWatcher(sim, nats, "watcher-solo", { leaderElect: false });
      replicas.push(watcher);
      await explained(async () => {
        await untilReady(watcher);
        gateways = await Promise.all([startGateway(nats, "gateway-1"), startGateway(nats, "gateway-2")]);
        replicas.push(...gateways);
        for (const gateway of gateways) await untilReady(gateway);
      }, explain);
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await sim?.close();
      await nats?.dispose();
    });

    it("hands out the stream's epoch on every replica", async () => {
      await explained(async () => {
        const stream = await readChangeStream(nats);
        const epochs = await Promise.all(replicas.map((replica) => changeLogEpoch(replica.graphqlUrl)));
        expect(epochs).toEqual(replicas.map(() => stream.epoch));
      }, explain);
    });

    it("lets a client move from one gateway to the other mid-churn, missing and repeating no change", async () => {
      await explained(async () => {
        const [first, second] = [gateways[0]!, gateways[1]!];
        sim.startChurn(churnPerSecond, 8);
        const client = new CursorFollower();
        await client.start(first);
        await eventually(() => client.received.length >= 200, 30_000, `200 changes from ${first.name}`);
        const left = await client.pause();
        const seenOnFirst = client.received.length;
        // The churn goes on while the client is away: there is something to catch up on.
        await eventually(
          async () => (await cursorOf(second)).sequence > left + 100,
          30_000,
          `${second.name} more than 100 changes past ${left}`,
        );
        client.follow(second);
        await eventually(
          () => client.received.length > seenOnFirst + 200,
          30_000,
          `200 changes from ${second.name}`,
        );
        sim.stopChurn();
        await untilEqual("the client and both gateways equal to the simulator", () => truthState(sim), {
          client: () => client.state,
          [first.name]: () => graphStateOf(first),
          [second.name]: () => graphStateOf(second),
        });
        await client.pause();
        expect(client.problems, "the client's sequences").toEqual([]);
        const firstOnSecond = client.received.find((change) => change.via === second.name);
        expect(firstOnSecond?.sequence, "the first change after the move").toBe(left + 1);
        expect(client.received.at(seenOnFirst - 1)?.sequence).toBe(left);

        // What the client received, on both gateways together, is the stream's run of changes.
        const stream = await readChangeStream(nats);
        expect(streamNumberingProblems(stream)).toEqual([]);
        expect(
          client.received.map(({ sequence, type, uid, resourceVersion }) => ({
            sequence,
            type,
            uid,
            resourceVersion,
          })),
        ).toEqual(
          stream.messages
            .filter((message) => message.seq > client.startedAfter && message.seq <= client.lastSequence)
            .map(({ seq, type, uid, resourceVersion }) => ({ sequence: seq, type, uid, resourceVersion })),
        );
        expect(streamState(stream)).toEqual(await truthState(sim));
        console.info(
          `move: ${seenOnFirst} changes from ${first.name} up to ${left}, ${client.received.length - seenOnFirst} from ${second.name} after it; the stream ends at ${stream.lastSeq}`,
        );
      }, explain);
    }, 120_000);

    it("loses and repeats no change when nats-server is killed mid-churn and started again", async () => {
      await explained(async () => {
        const client = new CursorFollower();
        await client.start(gateways[1]!);
        const before = (await readChangeStream(nats)).lastSeq;
        sim.startChurn(churnPerSecond, 9);
        await pause(2_000);
        await nats.stop();
        await pause(3_000);
        await nats.restart();
        await pause(3_000);
        sim.stopChurn();
        await untilEqual(
          "the watcher, both gateways and a client equal to the simulator after the restart",
          () => truthState(sim),
          {
            [watcher.name]: () => graphStateOf(watcher),
            [gateways[0]!.name]: () => graphStateOf(gateways[0]!),
            [gateways[1]!.name]: () => graphStateOf(gateways[1]!),
            client: () => client.state,
          },
          60_000,
        );
        await client.pause();
        expect(client.problems, "the client's sequences").toEqual([]);
        const stream = await readChangeStream(nats);
        expect(stream.lastSeq, "changes published across the restart").toBeGreaterThan(before + 200);
        expect(streamNumberingProblems(stream)).toEqual([]);
        expect(writerRuns(stream).length, "one writer").toBe(1);
        expect(streamState(stream)).toEqual(await truthState(sim));
        expect(watcher.exit, "the watcher kept running").toBeUndefined();
        console.info(
          `nats-server restart: the stream went from ${before} to ${stream.lastSeq} changes; the client on ${gateways[1]!.name} received ${client.received.length}`,
        );
      }, explain);
    }, 150_000);
  },
);
