// nats-server killed and started again while the simulator churns: meshsync serve keeps reconnecting,
// and a consumer that does what Meshery should (ask for the store again on RESYNC and after its own
// reconnect) ends at the simulator's truth. (The overflow and RESYNC path, which needs a smaller buffer
// than serve's, is test/outputs/nats/outage.test.ts's.)
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesheryConsumer, type NatsServer, natsServerMissing } from "../support/nats-server.js";
import {
  convergedToSim,
  type ServeOnNats,
  startServeOnNats,
  untilServeAnswers,
} from "../support/nats-truth.js";
import type { SimAndServe } from "../support/processes.js";
import { simRequest } from "../support/sim-request.js";

describe.skipIf(natsServerMissing !== undefined)(
  `meshsync serve --broker-url while nats-server dies and comes back${natsServerMissing ? ` (${natsServerMissing})` : ""}`,
  () => {
    let running: ServeOnNats | undefined;
    let nats: NatsServer;
    let processes: SimAndServe;
    let consumer: MesheryConsumer;

    beforeAll(async () => {
      running = await startServeOnNats(["--churn", "400", "--seed", "21"]);
      ({ nats, processes, consumer } = running);
      await eventually(() => consumer.storeObjects > 0, 20_000, "the store reply");
    }, 90_000);

    afterAll(async () => {
      await running?.stop();
    });

    it("loses no change across two outages: the consumer converges to the simulator's truth", async () => {
      for (let outage = 0; outage < 2; outage++) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await nats.stop();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await nats.restart();
        await untilServeAnswers(nats.url);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await convergedToSim(processes.sim.origin, consumer, "Pod", "/api/v1/pods")).toEqual([]);
      expect(consumer.problems).toEqual([]);
      const pods = (await simRequest(processes.sim.origin, "GET", "/api/v1/pods")).items as unknown[];
      expect(pods.length).toBeGreaterThan(10);
      // serve said it lost NATS and found it again.
      const output = processes.serve.output();
      expect(output).toContain("NATS connection lost");
    }, 90_000);
  },
);
