// Subscription.podLogs end to end: `meshsync sim` and `meshsync serve` as processes, a pod's log read
// through meshsync over graphql-ws, as a GraphiQL user would: the tail and its end, then a followed
// log that keeps bringing lines, and a wrong container refused with the API server's reason.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriptionErrorsError, subscribe } from "../support/graphql-client.js";
import { type SimAndServe, startSimAndServe } from "../support/processes.js";

type Line = { podLogs: { kind: string; number: number; text: string; truncated: boolean } };
const podLogs =
  parse(`subscription Logs($namespace: String!, $pod: String!, $container: String, $follow: Boolean, $tailLines: Int) {
  podLogs(namespace: $namespace, pod: $pod, container: $container, follow: $follow, tailLines: $tailLines) {
    kind number text truncated
  }
}`) as TypedDocumentNode<Line, Record<string, unknown>>;

let processes: SimAndServe;
let pod: { namespace: string; name: string; container: string };

beforeAll(async () => {
  processes = await startSimAndServe(["--seed", "4"]);
  const list = (await (await fetch(`${processes.sim.origin}/api/v1/pods`)).json()) as {
    items: { metadata: { namespace: string; name: string }; spec: { containers: { name: string }[] } }[];
  };
  const chosen = list.items.find((item) => item.spec.containers.length === 1)!;
  pod = { ...chosen.metadata, container: chosen.spec.containers[0]!.name };
});

afterAll(async () => {
  await processes?.stop();
});

describe("Subscription.podLogs", () => {
  it("sends the last lines of the log as the API server has them, then END", async () => {
    const direct = await (
      await fetch(
        `${processes.sim.origin}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/log?tailLines=3`,
      )
    ).text();
    const logs = subscribe(processes.graphqlUrl, podLogs, {
      namespace: pod.namespace,
      pod: pod.name,
      tailLines: 3,
    });
    try {
      const events = (await logs.take(4)).map((event) => event.podLogs);
      expect(events.slice(0, 3).map((line) => [line.kind, line.number, line.text])).toEqual(
        direct
          .trimEnd()
          .split("\n")
          .map((text, i) => ["LINE", i + 1, text]),
      );
      expect(events[3]).toMatchObject({ kind: "END", number: 3 });
    } finally {
      await logs.close();
    }
  });

  it("keeps bringing lines while following, each numbered after the last", async () => {
    const logs = subscribe(processes.graphqlUrl, podLogs, {
      namespace: pod.namespace,
      pod: pod.name,
      tailLines: 1,
      follow: true,
    });
    try {
      const lines = (await logs.take(3, 30_000)).map((event) => event.podLogs);
      expect(lines.map((line) => [line.kind, line.number])).toEqual([
        ["LINE", 1],
        ["LINE", 2],
        ["LINE", 3],
      ]);
      expect(lines[2]!.text).toContain(pod.container);
    } finally {
      await logs.close();
    }
  }, 40_000);

  it("refuses a container the pod does not have, saying which it has", async () => {
    const logs = subscribe(processes.graphqlUrl, podLogs, {
      namespace: pod.namespace,
      pod: pod.name,
      container: "no-such-container",
    });
    try {
      const failure = await logs.next().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SubscriptionErrorsError);
      const [error] = (failure as SubscriptionErrorsError).errors;
      expect(error?.message).toContain("no-such-container");
      expect(error?.extensions?.code).toBe("BAD_USER_INPUT");
    } finally {
      await logs.close();
    }
  });
});
