// Leader election against the real simulator over HTTP: each replica has a kubeconfig with its own
// bearer token, so the simulator's partition fault can cut exactly one of them off.
import { KubeConfig } from "@kubernetes/client-node";
import { type KubeObject, type RunningSimulator, startSimulator } from "@meshsync/sim";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeHttpClient, type KubeRequester, type WriteMethod } from "../../src/kube/http-client.js";
import { type LeaderElectionOptions, LeaderElector } from "../../src/kube/leader-election.js";
import type { Logger } from "../../src/kube/logger.js";
import { waitFor } from "./fakes.js";

const LEASE = "meshsync-leader";
const NAMESPACE = "default";
// Short, but with the renew deadline several retry periods long: a loaded machine must not make a
// healthy leader miss it.
const timings = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 400 };

/** What one replica went through, stamped with the clock the elector measures intervals with. */
interface Replica {
  elector: LeaderElector;
  startedAt: number[];
  stoppedAt: number[];
  stopReasons: string[];
  leadersSeen: (string | undefined)[];
  debugLines: string[];
}

function clientFor(sim: RunningSimulator, token: string): KubeHttpClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "sim", server: sim.url, skipTLSVerify: true }],
    users: [{ name: token, token }],
    contexts: [{ name: "sim", cluster: "sim", user: token }],
    currentContext: "sim",
  });
  return new KubeHttpClient(config);
}

function storedLease(sim: RunningSimulator, name = LEASE): KubeObject | undefined {
  return sim.api.get("coordination.k8s.io", "v1", "leases", NAMESPACE, name);
}

function specOf(sim: RunningSimulator, name = LEASE): Record<string, unknown> {
  return (storedLease(sim, name)?.spec ?? {}) as Record<string, unknown>;
}

function holderOf(sim: RunningSimulator, name = LEASE): unknown {
  return specOf(sim, name).holderIdentity;
}

function transitionsOf(sim: RunningSimulator): unknown {
  return specOf(sim).leaseTransitions;
}

/** Holds every POST until `count` of them are waiting, so racing creators really do race. */
function barrierOnCreate(client: KubeRequester, shared: { waiting: (() => void)[]; count: number }) {
  return {
    server: client.server,
    getJson: client.getJson.bind(client),
    getText: client.getText.bind(client),
    openLines: client.openLines.bind(client),
    openBytes: client.openBytes.bind(client),
    connectionOptions: client.connectionOptions.bind(client),
    async sendJson(method: WriteMethod, path: string, body: unknown, signal?: AbortSignal) {
      if (method === "POST") {
        await new Promise<void>((resolve) => {
          shared.waiting.push(resolve);
          if (shared.waiting.length >= shared.count)
            for (const release of shared.waiting.splice(0)) release();
        });
      }
      return client.sendJson(method, path, body, signal);
    },
  } satisfies KubeRequester;
}

describe("leader election over a Lease", () => {
  let sim: RunningSimulator;
  const replicas: Replica[] = [];

  beforeEach(async () => {
    sim = await startSimulator({ scenario: "empty", controllers: false });
  });
  afterEach(async () => {
    // Heal first, so a cut-off replica's release is answered instead of waiting out its timeout.
    sim.fault({ action: "clear" });
    await Promise.all(replicas.splice(0).map((replica) => replica.elector.stop()));
    await sim.close();
  });

  function replica(identity: string, options: Partial<LeaderElectionOptions> = {}): Replica {
    const record: Omit<Replica, "elector"> = {
      startedAt: [],
      stoppedAt: [],
      stopReasons: [],
      leadersSeen: [],
      debugLines: [],
    };
    const logger: Logger = {
      debug: (_obj, msg) => record.debugLines.push(msg ?? ""),
      info() {},
      warn() {},
      error() {},
    };
    const elector = new LeaderElector({
      requester: clientFor(sim, identity),
      namespace: NAMESPACE,
      name: LEASE,
      identity,
      ...timings,
      logger,
      onStartedLeading: () => record.startedAt.push(performance.now()),
      onStoppedLeading: (reason) => {
        record.stoppedAt.push(performance.now());
        record.stopReasons.push(reason);
      },
      onNewLeader: (leader) => record.leadersSeen.push(leader),
      ...options,
    });
    // The same arrays the callbacks above fill.
    const made = { elector, ...record };
    replicas.push(made);
    return made;
  }

  async function leading(first: Replica): Promise<void> {
    first.elector.start();
    await waitFor(() => first.elector.role === "leader", `${first.elector.identity} leads`);
  }

  it("elects exactly one of two replicas, and the Lease names it", async () => {
    const a = replica("replica-a");
    const b = replica("replica-b");
    a.elector.start();
    b.elector.start();
    await waitFor(() => a.elector.role === "leader" || b.elector.role === "leader", "a leader");
    const [leader, standby] = a.elector.role === "leader" ? [a, b] : [b, a];
    await waitFor(() => standby.elector.leader === leader.elector.identity, "the standby sees the leader");

    const spec = specOf(sim);
    expect(spec.holderIdentity).toBe(leader.elector.identity);
    expect(spec.leaseDurationSeconds).toBe(3);
    expect(spec.leaseTransitions).toBe(0);
    expect(spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(spec.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(leader.elector.leadingSince).toBeTypeOf("number");
    expect(standby.elector.role).toBe("standby");
    expect(standby.leadersSeen).toEqual([leader.elector.identity]);

    // Renewals keep it: several retry periods on, the same leader and a fresher renewTime.
    const firstRenew = spec.renewTime;
    await waitFor(() => specOf(sim).renewTime !== firstRenew, "a renewal");
    await new Promise((resolve) => setTimeout(resolve, timings.retryPeriodMs * 3));
    expect(holderOf(sim)).toBe(leader.elector.identity);
    expect(leader.elector.role).toBe("leader");
    expect(standby.startedAt).toEqual([]);
    expect(leader.stoppedAt).toEqual([]);
  });

  it("hands over at once when the leader stops and releases the Lease", async () => {
    const a = replica("replica-a");
    const b = replica("replica-b");
    await leading(a);
    b.elector.start();
    await waitFor(() => b.elector.leader === "replica-a", "b sees a lead");

    const stoppedAt = performance.now();
    await a.elector.stop();
    expect(a.stopReasons).toEqual(["the elector was stopped"]);
    expect(a.elector.role).toBe("stopped");
    expect(a.elector.leadingSince).toBeUndefined();

    await waitFor(() => b.elector.role === "leader", "b leads");
    // b took a released Lease, not an expired one: it saw no one hold it before taking it, and that
    // was sooner than a's last renewal could have expired.
    expect(b.leadersSeen).toEqual(["replica-a", undefined, "replica-b"]);
    expect(b.startedAt[0]! - stoppedAt).toBeLessThan(timings.leaseDurationMs);
    expect(holderOf(sim)).toBe("replica-b");
    expect(transitionsOf(sim)).toBe(1);
    expect(b.elector.transitions).toBe(1);
  });

  it("a cut-off leader steps down before anyone else leads, and the other takes over", async () => {
    const a = replica("replica-a");
    const b = replica("replica-b");
    await leading(a);
    b.elector.start();
    await waitFor(() => b.elector.leader === "replica-a", "b sees a lead");
    const transitionsBefore = transitionsOf(sim);

    const partitionedAt = performance.now();
    sim.fault({ action: "partition", header: "authorization", pattern: "^Bearer replica-a$" });

    await waitFor(() => b.elector.role === "leader", "b leads", 15_000);
    // No overlap: a had stopped (on its own clock, with no answer from the server) before b started.
    expect(a.stoppedAt).toHaveLength(1);
    expect(a.stoppedAt[0]!).toBeLessThan(b.startedAt[0]!);
    expect(a.stopReasons[0]).toContain("no renewal succeeded within 2000 ms");
    expect(a.elector.role).toBe("stopped");
    // b waited out the lease from its own last sight of a renewal, then at most a retry or two.
    expect(b.startedAt[0]! - partitionedAt).toBeLessThan(timings.leaseDurationMs + timings.retryPeriodMs * 2);
    expect(b.startedAt[0]! - partitionedAt).toBeGreaterThan(timings.renewDeadlineMs);
    expect(holderOf(sim)).toBe("replica-b");
    expect(transitionsOf(sim)).toBe((transitionsBefore as number) + 1);
    expect(b.elector.transitions).toBe((transitionsBefore as number) + 1);
  });

  it("lets exactly one of several racing creators win", async () => {
    const shared = { waiting: [] as (() => void)[], count: 3 };
    const racers = ["replica-a", "replica-b", "replica-c"].map((identity) =>
      replica(identity, { requester: barrierOnCreate(clientFor(sim, identity), shared) }),
    );
    for (const racer of racers) racer.elector.start();
    await waitFor(() => racers.some((racer) => racer.elector.role === "leader"), "a leader");
    const winner = racers.find((racer) => racer.elector.role === "leader")!;
    await waitFor(
      () => racers.every((racer) => racer.elector.leader === winner.elector.identity),
      "every racer sees the winner",
    );
    await new Promise((resolve) => setTimeout(resolve, timings.retryPeriodMs * 2));
    expect(racers.filter((racer) => racer.startedAt.length > 0)).toEqual([winner]);
    expect(holderOf(sim)).toBe(winner.elector.identity);
    // All three created at once: the two losers were refused, and took that as a lost race.
    const losers = racers.filter((racer) => racer !== winner);
    for (const loser of losers) {
      expect(loser.debugLines).toContain("leader election: another replica wrote the lease first");
      expect(loser.elector.role).toBe("standby");
    }
  });

  it("steps down at once when a renewal finds another holder", async () => {
    const a = replica("replica-a");
    await leading(a);
    const current = storedLease(sim)!;
    sim.api.update("coordination.k8s.io", "v1", "leases", {
      ...current,
      spec: { ...(current.spec as object), holderIdentity: "intruder" },
    });
    await waitFor(() => a.elector.role === "stopped", "a steps down");
    expect(a.stopReasons).toEqual(["the lease is now held by intruder"]);
    expect(a.elector.leader).toBe("intruder");
    await a.elector.stop();
    // Not ours any more, so the stop released nothing.
    expect(holderOf(sim)).toBe("intruder");
  });

  it("refuses timings that could let two replicas lead at once", () => {
    const base = { requester: clientFor(sim, "x"), namespace: NAMESPACE, name: LEASE, identity: "x" };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 2000, renewDeadlineMs: 2000 })).toThrow(
      /leaseDurationMs \(2000\) must be greater than renewDeadlineMs \(2000\)/,
    );
    expect(
      () => new LeaderElector({ ...base, leaseDurationMs: 5000, renewDeadlineMs: 1200, retryPeriodMs: 1000 }),
    ).toThrow(/renewDeadlineMs \(1200\) must be greater than retryPeriodMs × 1.2/);
    expect(() => new LeaderElector({ ...base, retryPeriodMs: -1 })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, leaseDurationMs: Number.NaN })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, namespace: "Not_A_Namespace" })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, identity: " " })).toThrow(RangeError);
    // The defaults (15 s, 10 s, 2 s) are valid.
    expect(new LeaderElector(base).role).toBe("standby");
  });
});
