// The first hour, from the outside: `meshsync serve` with no cluster serves the embedded demo, says
// how to point kubectl at it, answers the README's first query with rows, and shows a subscription
// changes that nobody makes.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually } from "@meshsync/testing";
import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { hasKubectl, kubectlWith } from "../support/kubectl.js";
import { type RunningProcess, startMeshsync, tempDir } from "../support/processes.js";

/** The README's "A first query" example, exactly as a reader copies it. */
function readmeExample(): string {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## A first query"));
  const match = /```graphql\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error("README.md has no graphql block under 'A first query'");
  return match[1];
}

type Json = Record<string, unknown>;

interface PodsResult {
  data?: {
    resources: {
      totalCount: number;
      sequence: string;
      edges: { node: { kind: string; namespace: string } }[];
    };
  };
  errors?: { message: string }[];
}

interface ChangeEvent {
  sequence: string;
  type: string;
  resource: { kind: string; namespace: string | null; name: string } | null;
}

let serve: RunningProcess;
let runtimeDir: string;
let graphqlUrl: string;

/** stdout's lines, in order (the logs on stderr are JSON lines, interleaved in output()). */
function stdoutLines(): string[] {
  return serve
    .output()
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("{"));
}

function kubeconfigPath(): string {
  const line = stdoutLines().find((text) => text.includes("kubectl --kubeconfig"));
  const match = /kubectl --kubeconfig (\S+) get pods -A$/.exec(line ?? "");
  if (!match?.[1]) throw new Error(`no kubectl line in:\n${serve.output()}`);
  return match[1];
}

/** kubectl with the kubeconfig serve wrote, as a user pastes it, and a cache of its own. */
const kubectl = (...args: string[]) => kubectlWith(kubeconfigPath(), ...args);

beforeAll(async () => {
  runtimeDir = tempDir("meshsync-runtime-");
  serve = await startMeshsync(["serve", "--port", "0"], { XDG_RUNTIME_DIR: runtimeDir });
  graphqlUrl = `${serve.origin}/graphql`;
  await eventually(async () => (await fetch(`${serve.origin}/readyz`)).status === 200, 30_000, "serve ready");
});

afterAll(async () => {
  await serve?.stop();
});

describe("meshsync serve without a cluster", () => {
  it("prints a kubectl line for the embedded simulator right after the listening line", async () => {
    await eventually(async () => stdoutLines().length >= 3, 10_000, "the lines after the listening one");
    const lines = stdoutLines();
    expect(lines[0]).toMatch(/^meshsync listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(lines[1]).toMatch(
      /syncing the embedded Kubernetes simulator \(demo cluster, 3 changes a second\)/,
    );
    const port = new URL(serve.origin).port;
    expect(lines[2]).toBe(
      `point kubectl at it: kubectl --kubeconfig ${join(runtimeDir, "meshsync", `sim-${port}.kubeconfig`)} get pods -A`,
    );
    const file = kubeconfigPath();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(runtimeDir, "meshsync")).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, "utf8")).toContain("current-context: meshsync-sim");
  });

  it("writes a kubeconfig kubectl lists the demo's pods in default with", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    const stdout = await kubectl("get", "pods", "-n", "default", "--no-headers");
    const rows = stdout.trim().split("\n");
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^podinfo-[a-z0-9]+-[a-z0-9]{5}\s+\d\/1\s+\S+/);
  });

  it("answers the README's first query with rows", async () => {
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query: readmeExample(), operationName: "Pods" }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as PodsResult;
    expect(result.errors).toBeUndefined();
    const resources = result.data?.resources;
    expect(resources?.totalCount).toBeGreaterThan(0);
    expect(resources?.edges.length).toBeGreaterThan(0);
    for (const { node } of resources?.edges ?? [])
      expect(node).toMatchObject({ kind: "Pod", namespace: "default" });
  });

  it("shows the README's subscription changes within seconds, with nobody making any", async () => {
    const example = readmeExample();
    const queried = (await (
      await fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: example, operationName: "Pods" }),
      })
    ).json()) as PodsResult;
    const since = queried.data?.resources.sequence;
    expect(since).toBeTypeOf("string");
    const client = createClient({
      url: graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const changes = client.iterate<{ resourceChanges: ChangeEvent }>({
      query: example,
      operationName: "Changes",
      variables: { since },
    });
    try {
      const first = await Promise.race([
        changes.next(),
        new Promise<never>((_resolve, reject) =>
          setTimeout(() => reject(new Error("no change within 10 s")), 10_000).unref(),
        ),
      ]);
      expect(first.done).toBe(false);
      const event = first.value?.data?.resourceChanges;
      expect(event?.type).toMatch(/^(ADDED|MODIFIED|DELETED)$/);
      expect(event?.resource?.kind).toBe("Pod");
      // "<epoch>:<n>": the same process, a change after the query's.
      const [epoch, after] = String(since).split(":");
      const [eventEpoch, n] = String(event?.sequence).split(":");
      expect(eventEpoch).toBe(epoch);
      expect(Number(n)).toBeGreaterThan(Number(after));
    } finally {
      await changes.return?.();
      await client.dispose();
    }
  });

  it("runs a pod kubectl creates, and the graph sees it Running and Ready", async (context) => {
    if (!(await hasKubectl())) context.skip("kubectl is not installed");
    await kubectl("run", "first-pod", "--image=nginx:1.27");
    const podStatus = async () => {
      const response = await fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `{ resources(filter: { kinds: ["Pod"], namespaces: ["default"] }, first: 100) { edges { node { name spec status } } } }`,
        }),
      });
      const body = (await response.json()) as {
        data?: { resources: { edges: { node: { name: string; spec: Json; status: Json } }[] } };
      };
      return body.data?.resources.edges.find((edge) => edge.node.name === "first-pod")?.node;
    };
    await eventually(
      async () => {
        const status = (await podStatus())?.status;
        const ready = Array.isArray(status?.conditions)
          ? (status.conditions as Json[]).some((c) => c.type === "Ready" && c.status === "True")
          : false;
        return status?.phase === "Running" && ready;
      },
      15_000,
      "first-pod Running and Ready in the graph",
    );
    const pod = await podStatus();
    expect(String(pod?.spec.nodeName)).toMatch(/^sim-worker/);
    expect(String(pod?.status.podIP)).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });

  it("removes the kubeconfig when it stops", async () => {
    const file = kubeconfigPath();
    expect(existsSync(file)).toBe(true);
    await serve.stop();
    expect(serve.child.exitCode ?? serve.child.signalCode).not.toBeNull();
    expect(existsSync(file)).toBe(false);
  });
});
