// Broker mode's health server from outside: MeshSync's /healthz and /readyz on their own port answer
// as the Go MeshSync's do, and a NATS that cannot be reached takes neither them nor the process down.
import { createServer } from "node:net";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, type SimAndServe, startSimAndServe } from "../support/processes.js";

/** A loopback port nothing listens on: taken, then freed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let processes: SimAndServe;
let healthOrigin: string;

beforeAll(async () => {
  const natsPort = await closedPort();
  processes = await startSimAndServe(
    [],
    ["--broker-url", `nats://127.0.0.1:${natsPort}`, "--health-port", "0", "--log-format", "json"],
  );
  await eventually(
    async () => logLines(processes.serve, "health endpoints /healthz and /readyz listening").length > 0,
    10_000,
    "health server listening",
  );
  const line = logLines(processes.serve, "health endpoints /healthz and /readyz listening")[0]!;
  healthOrigin = `http://127.0.0.1:${String(line.port)}`;
});

afterAll(async () => {
  await processes?.stop();
});

describe("broker mode's health server", () => {
  it("says ok on /healthz and, once synced, on /readyz, in plain text as MeshSync does", async () => {
    const health = await fetch(`${healthOrigin}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
    await eventually(async () => (await fetch(`${healthOrigin}/readyz`)).status === 200, 20_000, "ready");
    expect(await (await fetch(`${healthOrigin}/readyz`)).text()).toBe("ok");
    expect((await fetch(`${healthOrigin}/graphql`)).status).toBe(404);
  });

  it("keeps serving while NATS cannot be reached, and says so in /metrics", async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(processes.serve.child.exitCode).toBeNull();
    expect((await fetch(`${processes.serve.origin}/readyz`)).status).toBe(200);
    expect((await fetch(`${healthOrigin}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${processes.serve.origin}/metrics`)).text();
    expect(metrics).toMatch(/^meshsync_nats_connected 0$/m);
    expect(metrics).toMatch(/^meshsync_nats_published_messages 0$/m);
    // What the graph held at the start waits for NATS, bounded, rather than being lost.
    expect(Number(/^meshsync_nats_buffered_messages (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});
