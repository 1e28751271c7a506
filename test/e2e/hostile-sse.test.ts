// Hostile input over graphql-sse (Server-Sent Events, both of its modes), against `meshsync serve` with a
// token as a real process, synced from a churning simulator of about 8,400 objects; the bystander's
// subscriber follows its changes over graphql-sse too. As over HTTP and graphql-ws, each attack runs for
// a few seconds while the healthy client's latency and serve's RSS are measured: each attack is refused
// with a clear error or served within budget, the healthy client's p99 stays under 500 ms and RSS grows
// less than 300 MB. Streams are read raw (fetch, node:http) so that status, events and pauses show.
import { type IncomingMessage, request } from "node:http";
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/api/index.js";
import {
  deeplyNested,
  documentsPastLimits,
  expectRefusedPastLimits,
  fiftyThousandRequirements,
  pagesOfObjects,
  selectorAtTheBound,
} from "../support/attacks.js";
import { attackWindowMs, expectBystanderUnharmed, HostileBed, repeatFor } from "../support/hostile.js";

const token = "hostile-sse-token";
const retainedChanges = 2000;
let bed: HostileBed;

beforeAll(async () => {
  bed = await HostileBed.start({
    token,
    transport: "graphql-sse",
    serveArgs: ["--retained-changes", String(retainedChanges)],
  });
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

const auth = { authorization: `Bearer ${token}` };

interface SseEvent {
  event: string;
  data: unknown;
}

interface SseAnswer {
  status: number;
  contentType: string;
  /** The events of an event stream, in order; for a JSON answer, none. */
  events: SseEvent[];
  /** A JSON answer's body; undefined for an event stream. */
  json?: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  bytes: number;
}

function parseEvents(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.split("\n").some((line) => line.startsWith("event:")))
    .map((block) => {
      const lines = block.split("\n");
      const event = lines
        .find((line) => line.startsWith("event:"))!
        .slice(6)
        .trim();
      const data = lines
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("\n");
      return { event, data: data === "" ? undefined : JSON.parse(data) };
    });
}

/**
 * A distinct-connections graphql-sse request (POST, Accept: text/event-stream), read to its end: a
 * query's or a refusal's stream ends by itself after `complete`.
 */
async function eventStream(body: unknown, headers: Record<string, string> = auth): Promise<SseAnswer> {
  const response = await fetch(bed.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const answer: SseAnswer = {
    status: response.status,
    contentType,
    events: [],
    bytes: Buffer.byteLength(text),
  };
  if (contentType.includes("text/event-stream")) answer.events = parseEvents(text);
  else if (contentType.includes("json")) answer.json = JSON.parse(text) as SseAnswer["json"];
  return answer;
}

/** The errors a stream carried in its one `next` before `complete`, as graphql-sse sends a refusal. */
function refusalOf(answer: SseAnswer): { message: string; extensions?: Record<string, unknown> }[] {
  expect(answer.status).toBe(200);
  expect(answer.events.map((e) => e.event)).toEqual(["next", "complete"]);
  const payload = answer.events[0]!.data as {
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  expect(payload.errors).toHaveLength(1);
  return payload.errors!;
}

/** A single-connection reservation: its token, and its stream read in the background. */
async function reservation(): Promise<{ token: string; text: () => string; close(): void }> {
  const reserved = await fetch(bed.graphqlUrl, { method: "PUT", headers: auth });
  expect(reserved.status).toBe(201);
  const streamToken = await reserved.text();
  const controller = new AbortController();
  const stream = await fetch(bed.graphqlUrl, {
    headers: { ...auth, accept: "text/event-stream", "x-graphql-event-stream-token": streamToken },
    signal: controller.signal,
  });
  let text = "";
  const reader = stream.body!.getReader();
  void (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      text += Buffer.from(chunk.value).toString("utf8");
    }
  })().catch(() => {});
  return { token: streamToken, text: () => text, close: () => controller.abort() };
}

async function operate(streamToken: string, id: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(bed.graphqlUrl, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json", "x-graphql-event-stream-token": streamToken },
    body: JSON.stringify({ ...body, extensions: { operationId: id } }),
  });
}

describe("hostile input over graphql-sse", () => {
  it("refuses {a{a{…3000 levels…}}} with 400 and a clear error, in both modes", async () => {
    const single = await reservation();
    try {
      let n = 0;
      const { outcome, report } = await bed.attack("3000-level nesting over graphql-sse", () =>
        repeatFor(attackWindowMs, async () => {
          const distinct = await eventStream({ query: deeplyNested });
          const operation = await operate(single.token, `deep-${n++}`, { query: deeplyNested });
          return { distinct, single: { status: operation.status, body: await operation.json() } };
        }),
      );
      const message = "the document nests brackets ({, ( or [) more than 64 deep; the limit is 64";
      for (const { distinct, single: answer } of outcome) {
        expect(distinct.status).toBe(400);
        expect(distinct.json?.errors?.[0]).toMatchObject({
          message,
          extensions: { code: ErrorCode.QueryTooComplex },
        });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({
          errors: [{ message, extensions: { code: ErrorCode.QueryTooComplex } }],
        });
      }
      expectBystanderUnharmed(report);
    } finally {
      single.close();
    }
  });

  it("refuses a subscription filter of 50,000 requirements on the stream, in a short error", async () => {
    const fieldSelector = fiftyThousandRequirements();
    const { outcome, report } = await bed.attack("subscription filter of 50,000 requirements over SSE", () =>
      repeatFor(attackWindowMs, () =>
        eventStream({
          query:
            "subscription Big($s: String) { resourceChanges(filter: { fieldSelector: $s }) { sequence } }",
          variables: { s: fieldSelector },
        }),
      ),
    );
    for (const answer of outcome) {
      const [error] = refusalOf(answer);
      expect(error?.extensions?.code).toBe(ErrorCode.BadUserInput);
      expect(error?.message).toMatch(/^field selector too long: 849999 characters, at most 65536: /);
      expect(answer.bytes).toBeLessThan(500);
    }
    expectBystanderUnharmed(report);
  });

  it("admits subscription filters at the bound, each its own, up to the server's filter budget", async () => {
    const streams = await Promise.all(Array.from({ length: 4 }, () => reservation()));
    const filtered =
      "subscription Filtered($s: String) { resourceChanges(filter: { labelSelector: $s }) { sequence } }";
    try {
      const spent = await bed.metric("meshsync_subscription_filter_evaluations_per_change");
      const room = Math.floor((20_000 - spent) / 202);
      const { outcome, report } = await bed.attack(
        "400 subscription filters at the bound over SSE",
        async () => {
          const answers = await Promise.all(
            streams.flatMap((stream, s) =>
              Array.from({ length: 100 }, async (_, i) => {
                const response = await operate(stream.token, `f${i}`, {
                  query: filtered,
                  variables: { s: selectorAtTheBound(`${s}-${i}`) },
                });
                return {
                  status: response.status,
                  body: response.status === 202 ? undefined : await response.json(),
                };
              }),
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, attackWindowMs));
          return answers;
        },
      );
      expect(outcome.filter((a) => a.status === 202)).toHaveLength(room);
      const refused = outcome.filter((a) => a.status !== 202);
      expect(refused).toHaveLength(400 - room);
      for (const answer of refused) {
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ errors: [{ extensions: { code: ErrorCode.ServerBusy } }] });
      }
      // Filters that match nothing: no change reached any of the admitted ones.
      for (const stream of streams) expect(stream.text()).not.toContain("event: next");
      expectBystanderUnharmed(report);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it("refuses a long, many-token, many-alias or costly document and a 900 KB selector, in short errors", async () => {
    const { outcome, report } = await bed.attack("document limits over graphql-sse", () =>
      repeatFor(attackWindowMs, async () => {
        const answers: Record<string, SseAnswer> = {};
        for (const [name, body] of Object.entries(documentsPastLimits))
          answers[name] = await eventStream(body);
        return answers;
      }),
    );
    /** Refused at parse: a JSON 400; at validation or execution: the errors on the stream. */
    const first = (answer: SseAnswer) => {
      const errors = answer.json?.errors ?? refusalOf(answer);
      expect(errors).toHaveLength(1);
      expect(answer.bytes).toBeLessThan(600);
      return errors[0]!;
    };
    for (const answers of outcome) {
      expect(answers.long!.status).toBe(400);
      expectRefusedPastLimits((name) => first(answers[name]!));
    }
    expectBystanderUnharmed(report);
  });

  it("refuses thirty pages of whole objects, and serves four pages of them ten at once, one after another", async () => {
    const refused = await bed.attack("30-alias amplification over SSE, ten at once", () =>
      repeatFor(attackWindowMs, () =>
        Promise.all(Array.from({ length: 10 }, () => eventStream({ query: pagesOfObjects(30) }))),
      ),
    );
    for (const answer of refused.outcome.flat()) {
      const [error] = refusalOf(answer);
      expect(error?.extensions?.code).toBe(ErrorCode.QueryTooCostly);
      expect(error?.message).toMatch(/^operation costs \d+; the budget is 100000\. /);
    }
    expectBystanderUnharmed(refused.report);
    const served = await bed.attack("4-page amplification over SSE within budget, ten at once", () =>
      Promise.all(Array.from({ length: 10 }, () => eventStream({ query: pagesOfObjects(4) }))),
    );
    for (const answer of served.outcome) {
      expect(answer.events.map((e) => e.event)).toEqual(["next", "complete"]);
      const payload = answer.events[0]!.data as { data?: Record<string, unknown>; errors?: unknown };
      expect(payload.errors).toBeUndefined();
      expect(Object.keys(payload.data ?? {})).toHaveLength(4);
    }
    expectBystanderUnharmed(served.report);
  });

  it("refuses a body over the request limit, other sites, cross-site content types and a missing or wrong token", async () => {
    const clusters = { query: "{ clusters { id } }" };
    const { outcome, report } = await bed.attack("size, auth and Origin over SSE", () =>
      repeatFor(attackWindowMs, async () => ({
        huge: await eventStream({ query: `{ clusters { id } } # ${"x".repeat(1024 * 1024)}` }),
        none: await eventStream(clusters, {}),
        wrong: await eventStream(clusters, { authorization: "Bearer wrong" }),
        otherSite: await eventStream(clusters, { ...auth, origin: "http://evil.example" }),
        text: await fetch(bed.graphqlUrl, {
          method: "POST",
          headers: { ...auth, accept: "text/event-stream", "content-type": "text/plain" },
          body: JSON.stringify(clusters),
        }).then((r) => r.status),
        reservationWithoutToken: await fetch(bed.graphqlUrl, { method: "PUT" }).then((r) => r.status),
      })),
    );
    for (const attempt of outcome) {
      expect(attempt.huge.status).toBe(413);
      expect(attempt.none.status).toBe(401);
      expect(attempt.none.json?.errors?.[0]?.extensions?.code).toBe(ErrorCode.Unauthenticated);
      expect(attempt.wrong.status).toBe(401);
      expect(attempt.otherSite.status).toBe(403);
      expect(attempt.text).toBe(415);
      expect(attempt.reservationWithoutToken).toBe(401);
    }
    expectBystanderUnharmed(report);
  });

  it("resumes a cursor from another process or from before the window with RESYNC first", async () => {
    const { epoch, cursors } = await bed.resumeCursors(retainedChanges);
    const { outcome, report } = await bed.attack("resume from a foreign or too-old cursor over SSE", () =>
      repeatFor(attackWindowMs, async () => {
        const firsts: unknown[] = [];
        for (const since of Object.values(cursors)) {
          const controller = new AbortController();
          const response = await fetch(bed.graphqlUrl, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json", accept: "text/event-stream" },
            body: JSON.stringify({
              query:
                "subscription Resume($since: String) { resourceChanges(since: $since) { sequence type } }",
              variables: { since },
            }),
            signal: controller.signal,
          });
          const reader = response.body!.getReader();
          let text = "";
          while (parseEvents(text).length === 0) {
            const chunk = await reader.read();
            if (chunk.done) break;
            text += Buffer.from(chunk.value).toString("utf8");
          }
          controller.abort();
          firsts.push(parseEvents(text)[0]);
        }
        return firsts;
      }),
    );
    for (const firsts of outcome) {
      for (const first of firsts) {
        expect(first).toMatchObject({
          event: "next",
          data: { data: { resourceChanges: { type: "RESYNC" } } },
        });
        const at = (first as { data: { data: { resourceChanges: { sequence: string } } } }).data.data
          .resourceChanges.sequence;
        expect(at.startsWith(`${epoch}:`)).toBe(true);
      }
    }
    expectBystanderUnharmed(report);
  });

  it("never shows a Secret's values in a change", async () => {
    const stream = await reservation();
    try {
      const started = await operate(stream.token, "secrets", {
        query:
          'subscription { resourceChanges(filter: { kinds: ["Secret"], namespaces: ["default"] }) { type resource { name object } } }',
      });
      expect(started.status).toBe(202);
      let n = 0;
      const { outcome, report } = await bed.attack("Secret values over SSE", () =>
        repeatFor(attackWindowMs, async () => {
          const name = `sse-written-${n++}`;
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
          await eventually(() => stream.text().includes(`"name":"${name}"`), 10_000, "the change");
          return { value };
        }),
      );
      const text = stream.text();
      for (const { value } of outcome) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString("base64"));
      }
      expect(text).toContain('"token":""');
      expectBystanderUnharmed(report);
    } finally {
      stream.close();
    }
  });

  it("closes event streams that stop reading as too slow, and holds little for them meanwhile", async () => {
    const everything = JSON.stringify({
      query: "subscription { resourceChanges { sequence type resource { object } } }",
    });
    const evictedBefore = await bed.metric('meshsync_connection_evictions_total{reason="too_slow"}');
    const stalled: IncomingMessage[] = [];
    const { report } = await bed.attack("twenty event streams that stop reading", async () => {
      for (let i = 0; i < 20; i++) {
        stalled.push(
          await new Promise<IncomingMessage>((resolve, reject) => {
            const req = request(
              bed.graphqlUrl,
              {
                method: "POST",
                headers: { ...auth, accept: "text/event-stream", "content-type": "application/json" },
              },
              (response) => {
                // Stops reading: the socket is paused, so the kernel's buffers and then the server's fill up.
                response.pause();
                resolve(response);
              },
            );
            req.on("error", reject);
            req.end(everything);
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 3 * attackWindowMs));
    });
    expect(stalled.every((response) => response.statusCode === 200)).toBe(true);
    expectBystanderUnharmed(report);
    // The server closes them for their slowness once they have been full for slowSocketTimeoutMs.
    await eventually(
      async () =>
        (await bed.metric('meshsync_connection_evictions_total{reason="too_slow"}')) >= evictedBefore + 20,
      30_000,
      "the stalled streams to be closed",
    );
    for (const response of stalled) response.destroy();
  }, 60_000);
});
