// Hostile input over graphql-ws, against `meshsync serve` with a token as a real process, synced from a
// churning simulator of about 8,400 objects. As over HTTP (hostile-http.test.ts), each attack runs for a
// few seconds while a healthy client in another process queries and follows changes, and serve's RSS is
// sampled: each attack is refused with a clear error or served within budget, the healthy client's p99
// stays under 500 ms and RSS grows less than 300 MB.
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, ErrorCode } from "../../src/api/index.js";
import { RawGraphqlSocket, type RawMessage } from "../server/raw-ws.js";
import {
  deeplyNested,
  documentsPastLimits,
  expectRefusedPastLimits,
  fiftyThousandRequirements,
  pagesOfObjects,
  selectorAtTheBound,
} from "../support/attacks.js";
import { attackWindowMs, expectBystanderUnharmed, HostileBed, repeatFor } from "../support/hostile.js";

const token = "hostile-ws-token";
/** Few enough that a cursor from the first seconds has left the window while the file runs. */
const retainedChanges = 2000;
let bed: HostileBed;

beforeAll(async () => {
  bed = await HostileBed.start({
    token,
    transport: "graphql-ws",
    serveArgs: ["--retained-changes", String(retainedChanges)],
  });
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

const auth = { authorization: `Bearer ${token}` };

/** A socket acknowledged with the token in connection_init, as a browser client sends it. */
function connect(): Promise<RawGraphqlSocket> {
  return RawGraphqlSocket.connect(bed.graphqlUrl, auth);
}

/** The first message for `id` that is not a `next` of live data: an error, or the first next. */
function answerTo(socket: RawGraphqlSocket, id: string): Promise<RawMessage> {
  return socket.waitFor((m) => m.id === id);
}

function errorsOf(message: RawMessage): { message: string; extensions?: Record<string, unknown> }[] {
  expect(message.type).toBe("error");
  return message.payload as { message: string; extensions?: Record<string, unknown> }[];
}

describe("hostile input over graphql-ws", () => {
  it("refuses {a{a{…3000 levels…}}} with a clear error, never a stack overflow, and the socket goes on", async () => {
    const socket = await connect();
    try {
      let n = 0;
      const { outcome, report } = await bed.attack("3000-level nesting over graphql-ws", () =>
        repeatFor(attackWindowMs, async () => {
          const id = `deep-${n++}`;
          socket.subscribe(id, deeplyNested);
          return answerTo(socket, id);
        }),
      );
      for (const answer of outcome) {
        const [error] = errorsOf(answer);
        expect(error?.message).toBe(
          "the document nests brackets ({, ( or [) more than 64 deep; the limit is 64",
        );
        expect(error?.extensions?.code).toBe(ErrorCode.QueryTooComplex);
        expect(JSON.stringify(answer)).not.toMatch(/call stack/i);
      }
      socket.subscribe("fine", "{ clusters { id } }");
      expect((await answerTo(socket, "fine")).type).toBe("next");
      expectBystanderUnharmed(report);
    } finally {
      await socket.close();
    }
  });

  it("refuses a subscription filter of 50,000 requirements before it opens, in a short error", async () => {
    const fieldSelector = fiftyThousandRequirements();
    const socket = await connect();
    try {
      let n = 0;
      const { outcome, report } = await bed.attack("subscription filter of 50,000 requirements", () =>
        repeatFor(attackWindowMs, async () => {
          const id = `big-${n++}`;
          socket.subscribe(
            id,
            "subscription Big($s: String) { resourceChanges(filter: { fieldSelector: $s }) { sequence } }",
            { s: fieldSelector },
          );
          return answerTo(socket, id);
        }),
      );
      for (const answer of outcome) {
        const [error] = errorsOf(answer);
        expect(error?.extensions?.code).toBe(ErrorCode.BadUserInput);
        expect(error?.message).toMatch(/^field selector too long: 849999 characters, at most 65536: /);
        expect(JSON.stringify(answer).length).toBeLessThan(500);
      }
      expectBystanderUnharmed(report);
    } finally {
      await socket.close();
    }
  });

  it("admits subscription filters at the bound, each its own, up to the server's filter budget, under churn", async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => connect()));
    const filtered =
      "subscription Filtered($s: String) { resourceChanges(filter: { labelSelector: $s }) { sequence } }";
    try {
      const spent = await bed.metric("meshsync_subscription_filter_evaluations_per_change");
      // Each costs a change 2 × (1 + 100) evaluations; the server allows 20,000 for all groups together.
      const room = Math.floor((20_000 - spent) / 202);
      const { report } = await bed.attack("400 subscription filters at the bound under churn", async () => {
        sockets.forEach((socket, s) => {
          for (let i = 0; i < 100; i++)
            socket.subscribe(`f${i}`, filtered, { s: selectorAtTheBound(`${s}-${i}`) });
        });
        await eventually(
          () =>
            sockets.reduce((n, socket) => n + socket.messages.filter((m) => m.type === "error").length, 0) ===
            400 - room,
          10_000,
          "the subscriptions past the budget to be refused",
        );
        // Every change of the churn is now matched against the admitted filters of 100 requirements.
        await new Promise((resolve) => setTimeout(resolve, attackWindowMs));
      });
      const answers = sockets.flatMap((socket) => socket.messages.filter((m) => m.id?.startsWith("f")));
      expect(answers).toHaveLength(400 - room);
      for (const answer of answers) {
        const [error] = errorsOf(answer);
        expect(error?.extensions?.code).toBe(ErrorCode.ServerBusy);
        expect(error?.message).toMatch(
          /^the subscriptions' filters already cost \d+ evaluations a change, and this one would add 202; the server's limit is 20000: /,
        );
      }
      expect(await bed.metric("meshsync_subscription_filter_evaluations_per_change")).toBe(
        spent + room * 202,
      );
      expectBystanderUnharmed(report);
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });

  it("refuses a long, many-token, many-alias or costly document and a 900 KB selector, in short errors", async () => {
    const socket = await connect();
    try {
      let n = 0;
      const { outcome, report } = await bed.attack("document limits over graphql-ws", () =>
        repeatFor(attackWindowMs, async () => {
          const answers: Record<string, RawMessage> = {};
          for (const [name, { query, variables }] of Object.entries(documentsPastLimits)) {
            const id = `${name}-${n++}`;
            socket.subscribe(id, query, variables);
            answers[name] = await answerTo(socket, id);
          }
          return answers;
        }),
      );
      const first = (answer: RawMessage) => {
        // Refused before execution: an `error`; at execution (the cost check): a `next` with errors.
        const errors = (
          answer.type === "error" ? answer.payload : (answer.payload as { errors: unknown }).errors
        ) as {
          message: string;
          extensions?: Record<string, unknown>;
        }[];
        expect(errors).toHaveLength(1);
        expect(JSON.stringify(answer).length).toBeLessThan(600);
        return errors[0]!;
      };
      for (const answers of outcome) expectRefusedPastLimits((name) => first(answers[name]!));
      expect(socket.closeCode).toBeUndefined();
      expectBystanderUnharmed(report);
    } finally {
      await socket.close();
    }
  });

  it("refuses thirty pages of whole objects, and serves four pages of them ten at once, one after another", async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect()));
    try {
      let n = 0;
      const ask = (count: number) =>
        Promise.all(
          sockets.map(async (socket) => {
            const id = `pages-${n++}`;
            socket.subscribe(id, pagesOfObjects(count));
            return socket.waitFor((m) => m.id === id, 30_000);
          }),
        );
      const refused = await bed.attack("30-alias amplification over graphql-ws, ten at once", () =>
        repeatFor(attackWindowMs, () => ask(30)),
      );
      for (const answer of refused.outcome.flat()) {
        // A query refused before it runs is a `next` with the errors, as graphql-ws answers an execution.
        const payload = answer.payload as {
          errors?: { message: string; extensions?: Record<string, unknown> }[];
        };
        expect(payload.errors?.[0]?.extensions?.code).toBe(ErrorCode.QueryTooCostly);
        expect(payload.errors?.[0]?.message).toMatch(/^operation costs \d+; the budget is 100000\. /);
      }
      expectBystanderUnharmed(refused.report);
      const served = await bed.attack("4-page amplification over graphql-ws within budget, ten at once", () =>
        ask(4),
      );
      for (const answer of served.outcome) {
        expect(answer.type).toBe("next");
        const payload = answer.payload as { data?: Record<string, unknown>; errors?: unknown };
        expect(payload.errors).toBeUndefined();
        expect(Object.keys(payload.data ?? {})).toHaveLength(4);
      }
      for (const socket of sockets) expect(socket.closeCode).toBeUndefined();
      expectBystanderUnharmed(served.report);
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
    }
  });

  it("closes a message over the size limit with 1009, in one JSON log line and no stack", async () => {
    const logBefore = bed.logText().length;
    const { outcome, report } = await bed.attack("a message over the size limit", () =>
      repeatFor(attackWindowMs, async () => {
        const socket = await connect();
        socket.subscribe("big", `{ clusters { id } } # ${"x".repeat(1024 * 1024)}`);
        return socket.closed;
      }),
    );
    for (const code of outcome) expect(code).toBe(CloseCode.MessageTooBig);
    const lines = () => bed.logText().slice(logBefore).split("\n").filter(Boolean);
    await eventually(
      () => lines().filter((line) => line.includes("Max payload size exceeded")).length === outcome.length,
      10_000,
      "a log line for each",
    );
    for (const line of lines()) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines().join("\n")).not.toMatch(/\n\s+at /);
    expectBystanderUnharmed(report);
  });

  it("closes sockets that break the protocol with graphql-ws's codes, and serves the next", async () => {
    const { outcome, report } = await bed.attack("graphql-ws protocol violations", () =>
      repeatFor(attackWindowMs, async () => {
        const codes: Record<string, number> = {};
        const notJson = await connect();
        notJson.ws.send("{not json");
        codes.notJson = await notJson.closed;
        const early = await RawGraphqlSocket.open(bed.graphqlUrl);
        early.subscribe("early", "{ clusters { id } }");
        codes.subscribeBeforeInit = await early.closed;
        const twice = await connect();
        twice.send({ type: "connection_init", payload: auth });
        codes.secondInit = await twice.closed;
        const same = await connect();
        same.subscribe("same", "subscription { resourceChanges { sequence } }");
        same.subscribe("same", "subscription { resourceChanges { sequence } }");
        codes.sameId = await same.closed;
        const serverOnly = await connect();
        serverOnly.send({ type: "next", id: "x", payload: {} });
        codes.serverMessage = await serverOnly.closed;
        return codes;
      }),
    );
    for (const codes of outcome) {
      expect(codes).toEqual({
        notJson: CloseCode.BadRequest,
        subscribeBeforeInit: CloseCode.Unauthorized,
        secondInit: CloseCode.TooManyInitialisationRequests,
        sameId: CloseCode.SubscriberAlreadyExists,
        serverMessage: CloseCode.BadRequest,
      });
    }
    const fine = await connect();
    fine.subscribe("ok", "{ clusters { id } }");
    expect((await answerTo(fine, "ok")).type).toBe("next");
    await fine.close();
    expectBystanderUnharmed(report);
  });

  it("asks for the token at the upgrade or in connection_init, and refuses other sites' upgrades", async () => {
    const { outcome, report } = await bed.attack("auth and Origin over graphql-ws", () =>
      repeatFor(attackWindowMs, async () => {
        const none = await RawGraphqlSocket.open(bed.graphqlUrl);
        none.send({ type: "connection_init" });
        const wrongParams = await RawGraphqlSocket.open(bed.graphqlUrl);
        wrongParams.send({ type: "connection_init", payload: { authorization: "Bearer wrong" } });
        return {
          none: await none.closed,
          wrongParams: await wrongParams.closed,
          wrongHeader: await RawGraphqlSocket.open(bed.graphqlUrl, { authorization: "Bearer wrong" }).then(
            () => "opened",
            (error: Error) => error.message,
          ),
          otherSite: await RawGraphqlSocket.open(bed.graphqlUrl, {
            ...auth,
            origin: "http://evil.example",
          }).then(
            () => "opened",
            (error: Error) => error.message,
          ),
        };
      }),
    );
    for (const attempt of outcome) {
      expect(attempt).toEqual({
        none: CloseCode.Unauthorized,
        wrongParams: CloseCode.Unauthorized,
        wrongHeader: "upgrade refused: 401",
        otherSite: "upgrade refused: 403",
      });
    }
    // The token on the upgrade alone is enough.
    const upgraded = await RawGraphqlSocket.open(bed.graphqlUrl, auth);
    upgraded.send({ type: "connection_init" });
    await upgraded.waitFor((m) => m.type === "connection_ack");
    await upgraded.close();
    expectBystanderUnharmed(report);
  });

  it("resumes a cursor from another process or from before the window with RESYNC first", async () => {
    const { epoch, cursors } = await bed.resumeCursors(retainedChanges);
    const socket = await connect();
    try {
      let n = 0;
      const { outcome, report } = await bed.attack("resume from a foreign or too-old cursor", () =>
        repeatFor(attackWindowMs, async () => {
          const firsts: Record<string, unknown> = {};
          for (const [name, since] of Object.entries(cursors)) {
            const id = `${name}-${n++}`;
            socket.subscribe(
              id,
              "subscription Resume($since: String) { resourceChanges(since: $since) { sequence type resource { name } } }",
              { since },
            );
            firsts[name] = (await socket.waitFor((m) => m.id === id && m.type === "next")).payload;
            socket.send({ type: "complete", id });
          }
          return firsts;
        }),
      );
      for (const firsts of outcome) {
        for (const first of Object.values(firsts)) {
          expect(first).toMatchObject({ data: { resourceChanges: { type: "RESYNC", resource: null } } });
          const at = (first as { data: { resourceChanges: { sequence: string } } }).data.resourceChanges
            .sequence;
          expect(at.startsWith(`${epoch}:`)).toBe(true);
        }
      }
      expectBystanderUnharmed(report);
    } finally {
      await socket.close();
    }
  });

  it("never shows a Secret's values in a change", async () => {
    const socket = await connect();
    try {
      socket.subscribe(
        "secrets",
        'subscription { resourceChanges(filter: { kinds: ["Secret"], namespaces: ["default"] }) { type resource { name object } } }',
      );
      await eventually(
        async () => (await bed.metric("meshsync_subscriptions_active")) >= 2,
        10_000,
        "the subscription to open",
      );
      let n = 0;
      const { outcome, report } = await bed.attack("Secret values over graphql-ws", () =>
        repeatFor(attackWindowMs, async () => {
          const name = `written-${n++}`;
          const value = `in-clear-${name}-${Date.now()}`;
          const created = await fetch(`${bed.simOrigin}/api/v1/namespaces/default/secrets`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              apiVersion: "v1",
              kind: "Secret",
              metadata: { name },
              data: { token: Buffer.from(value).toString("base64") },
              stringData: { password: value },
            }),
          });
          expect(created.status).toBe(201);
          const change = await socket.waitFor(
            (m) => m.id === "secrets" && JSON.stringify(m.payload).includes(`"name":"${name}"`),
          );
          return { change: JSON.stringify(change), value };
        }),
      );
      for (const { change, value } of outcome) {
        expect(change).toContain('"token":""');
        expect(change).not.toContain(value);
        expect(change).not.toContain(Buffer.from(value).toString("base64"));
      }
      expectBystanderUnharmed(report);
    } finally {
      await socket.close();
    }
  });
});
