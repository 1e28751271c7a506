// Hostile input over HTTP, against `meshsync serve` with a token as a real process, synced from a
// churning simulator of about 8,400 objects. Each attack runs for a few seconds while a healthy client
// (another process) queries and follows changes, and serve's RSS is sampled: every attack must be
// refused with a clear error or served within budget, the healthy client's p99 must stay under 500 ms
// and RSS must grow less than 300 MB. The attacks are the and those that already held.
import { eventually } from "@meshsync/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/api/index.js";
import {
  countsWithSelector,
  deeplyNested,
  fiftyThousandRequirements,
  hugeLabelSelector,
  longDocument,
  manyAliasesDocument,
  manyTokensDocument,
  pagesOfObjects,
  selectorAtTheBound,
} from "../support/attacks.js";
import { attackWindowMs, expectBystanderUnharmed, HostileBed, repeatFor } from "../support/hostile.js";

const token = "hostile-http-token";
let bed: HostileBed;

beforeAll(async () => {
  bed = await HostileBed.start({ token, transport: "graphql-ws" });
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

interface Answer {
  status: number;
  bytes: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

async function post(body: unknown, headers: Record<string, string> = bed.auth): Promise<Answer> {
  const response = await fetch(bed.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Answer["body"];
  try {
    parsed = JSON.parse(text) as Answer["body"];
  } catch {
    parsed = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, bytes: Buffer.byteLength(text), body: parsed };
}

/** Every answer was the same refusal: this status, this code, a message of this shape. */
function expectRefused(answers: Answer[], status: number, code: string, message: RegExp): void {
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    expect(answer.status).toBe(status);
    expect(answer.body.data ?? undefined).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(answer.body.errors?.[0]?.message).toMatch(message);
  }
}

const atTheBound = selectorAtTheBound();

describe("hostile input over HTTP", () => {
  it("refuses a field selector of 50,000 requirements (850 KB) before anything is scanned, in a short error", async () => {
    const fieldSelector = fiftyThousandRequirements();
    expect(fieldSelector.length).toBe(849_999);
    const { outcome, report } = await bed.attack("field selector of 50,000 requirements", () =>
      repeatFor(attackWindowMs, () =>
        post({
          query: "query Big($s: String) { resources(filter: { fieldSelector: $s }) { totalCount } }",
          variables: { s: fieldSelector },
        }),
      ),
    );
    expectRefused(
      outcome,
      400,
      ErrorCode.BadUserInput,
      /^field selector too long: 849999 characters, at most 65536: "metadata\.name=00,metadata\.name=01,.{40,70}"… \(849999 characters\)$/,
    );
    for (const answer of outcome) expect(answer.bytes).toBeLessThan(400);
    expectBystanderUnharmed(report);
  });

  it("refuses a selector at the bound in 30 aliases, stating its cost and the budget", async () => {
    const { outcome, report } = await bed.attack("selector at the bound in 30 aliases", () =>
      repeatFor(attackWindowMs, () => post({ query: countsWithSelector(30), variables: { s: atTheBound } })),
    );
    expectRefused(
      outcome,
      400,
      ErrorCode.QueryTooCostly,
      /^operation "Counts" costs \d+; the budget is 100000\. /,
    );
    for (const answer of outcome) {
      expect(answer.body.errors?.[0]?.extensions?.budget).toBe(100_000);
      // Thirty scans of every object at 101 evaluations each, 40 to the unit: far over.
      expect(Number(answer.body.errors?.[0]?.extensions?.cost)).toBeGreaterThan(30 * ((8000 * 101) / 40));
    }
    expectBystanderUnharmed(report);
  });

  it("serves the same selector in one alias, within budget", async () => {
    const { outcome, report } = await bed.attack("selector at the bound in one alias", () =>
      repeatFor(attackWindowMs, () =>
        post({
          query:
            "query Count($s: String) { resources(first: 1, filter: { labelSelector: $s }) { totalCount } }",
          variables: { s: atTheBound },
        }),
      ),
    );
    for (const answer of outcome) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { resources: { totalCount: 0 } } });
    }
    expectBystanderUnharmed(report);
  });

  it("refuses thirty pages of a thousand whole objects, ten at once, in a few hundred bytes each", async () => {
    const amplified = pagesOfObjects(30);
    expect(amplified.length).toBeLessThan(1800);
    const { outcome, report } = await bed.attack("30-alias amplification, ten at once", () =>
      repeatFor(attackWindowMs, () =>
        Promise.all(Array.from({ length: 10 }, () => post({ query: amplified }))),
      ),
    );
    const answers = outcome.flat();
    expectRefused(answers, 400, ErrorCode.QueryTooCostly, /^operation costs \d+; the budget is 100000\. /);
    for (const answer of answers) expect(answer.bytes).toBeLessThan(1000);
    expectBystanderUnharmed(report);
  });

  it("serves four pages of a thousand whole objects, the most the budget admits, ten at once, one after another", async () => {
    const pages = pagesOfObjects(4);
    const { outcome, report } = await bed.attack("4-page amplification within budget, ten at once", () =>
      Promise.all(Array.from({ length: 10 }, () => post({ query: pages }))),
    );
    for (const answer of outcome) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(Object.keys(answer.body.data ?? {})).toHaveLength(4);
      expect(answer.bytes).toBeLessThan(4 * 16 * 1024 * 1024);
    }
    expectBystanderUnharmed(report);
  });

  it("refuses {a{a{…3000 levels…}}} with 400 and a clear error, before parsing", async () => {
    const { outcome, report } = await bed.attack("3000-level nesting", () =>
      repeatFor(attackWindowMs, () => post({ query: deeplyNested })),
    );
    expectRefused(
      outcome,
      400,
      ErrorCode.QueryTooComplex,
      /^the document nests brackets \(\{, \( or \[\) more than 64 deep; the limit is 64$/,
    );
    expectBystanderUnharmed(report);
  });

  it("answers an invalid label selector of 900 KB, and one within the length bound, with a short error", async () => {
    const malformed = `${"a".repeat(60_000)} in (`;
    const { outcome, report } = await bed.attack("invalid 900 KB label selector", () =>
      repeatFor(attackWindowMs, async () => [
        await post({
          query: "query Bad($s: String) { resources(filter: { labelSelector: $s }) { totalCount } }",
          variables: { s: hugeLabelSelector },
        }),
        await post({
          query: "query Bad($s: String) { resources(filter: { labelSelector: $s }) { totalCount } }",
          variables: { s: malformed },
        }),
      ]),
    );
    const [tooLong, invalid] = [outcome.map((pair) => pair[0]!), outcome.map((pair) => pair[1]!)];
    expectRefused(
      tooLong,
      400,
      ErrorCode.BadUserInput,
      /^label selector too long: 900008 characters, at most 65536: /,
    );
    expectRefused(
      invalid,
      400,
      ErrorCode.BadUserInput,
      /^label selector: unable to parse requirement: key: Invalid value: /,
    );
    for (const answer of outcome.flat()) expect(answer.bytes).toBeLessThan(500);
    expectBystanderUnharmed(report);
  });

  it("keeps /metrics and the detail of /readyz to clients with the token", async () => {
    const contextName = "meshsync-sim";
    const simAddress = new URL(bed.simOrigin).host;
    const { outcome, report } = await bed.attack("/metrics and /readyz without the token", () =>
      repeatFor(attackWindowMs, async () => {
        const metrics = await fetch(`${bed.origin}/metrics`);
        const readyz = await fetch(`${bed.origin}/readyz`);
        return {
          metrics: { status: metrics.status, body: await metrics.text() },
          readyz: { status: readyz.status, body: await readyz.text() },
        };
      }),
    );
    for (const { metrics, readyz } of outcome) {
      expect(metrics.status).toBe(401);
      expect(JSON.parse(metrics.body)).toEqual({
        errors: [{ message: "Unauthorized", extensions: { code: ErrorCode.Unauthenticated } }],
      });
      expect(readyz.status).toBe(200);
      expect(JSON.parse(readyz.body)).toEqual({ status: "ready" });
      expect(readyz.body).not.toContain(contextName);
      expect(readyz.body).not.toContain(simAddress);
    }
    expectBystanderUnharmed(report);
    // With the token, the same endpoints tell everything.
    const detailed = await (await fetch(`${bed.origin}/readyz`, { headers: bed.auth })).json();
    expect(JSON.stringify(detailed)).toContain(contextName);
    expect((await fetch(`${bed.origin}/metrics`, { headers: bed.auth })).status).toBe(200);
  });

  it("refuses a document past 64 KiB, one of more than 5000 tokens, 31 aliases and a batch", async () => {
    const batch = [{ query: "{ clusters { id } }" }, { query: "{ clusters { id } }" }];
    const { outcome, report } = await bed.attack("document size, tokens, aliases, batching", () =>
      repeatFor(attackWindowMs, async () => ({
        long: await post({ query: longDocument }),
        manyTokens: await post({ query: manyTokensDocument }),
        aliases: await post({ query: manyAliasesDocument }),
        batch: await post(batch),
      })),
    );
    expectRefused(
      outcome.map((o) => o.long),
      413,
      ErrorCode.QueryTooLarge,
      /^the document is 70022 characters long; the limit is 65536$/,
    );
    // A parse error, answered as yoga answers one to an application/json client.
    for (const { manyTokens: answer } of outcome) {
      expect(answer.status).toBe(200);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
      expect(answer.body.errors?.[0]?.message).toMatch(
        /^Syntax Error: Document contains more th[ae][nt] 5000 tokens\. Parsing aborted\.$/,
      );
    }
    // A validation error, answered 200 to an application/json client, as yoga answers every one.
    expectRefused(
      outcome.map((o) => o.aliases),
      200,
      ErrorCode.QueryTooComplex,
      /^the document uses 31 aliases; the limit is 30$/,
    );
    for (const { batch: answer } of outcome) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.message).toBe("Batching is not supported.");
    }
    expectBystanderUnharmed(report);
  });

  it("asks for the token, refuses a wrong one in the header or the cookie, and refuses other sites", async () => {
    const clusters = { query: "{ clusters { id } }" };
    const { outcome, report } = await bed.attack("auth, Origin and cross-site content types", () =>
      repeatFor(attackWindowMs, async () => ({
        none: await post(clusters, {}),
        wrong: await post(clusters, { authorization: "Bearer wrong" }),
        wrongCookie: await post(clusters, { cookie: "meshsync_token=wrong" }),
        otherSite: await post(clusters, { ...bed.auth, origin: "http://evil.example" }),
        form: await fetch(bed.graphqlUrl, {
          method: "POST",
          headers: { ...bed.auth, "content-type": "application/x-www-form-urlencoded" },
          body: `query=${encodeURIComponent("{ clusters { id } }")}`,
        }),
        text: await fetch(bed.graphqlUrl, {
          method: "POST",
          headers: { ...bed.auth, "content-type": "text/plain" },
          body: JSON.stringify(clusters),
        }),
      })),
    );
    for (const attempt of outcome) {
      for (const answer of [attempt.none, attempt.wrong, attempt.wrongCookie]) {
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual({
          errors: [{ message: "Unauthorized", extensions: { code: ErrorCode.Unauthenticated } }],
        });
      }
      expect(attempt.otherSite.status).toBe(403);
      expect(attempt.otherSite.body.errors?.[0]?.message).toBe("not JSON: origin not allowed\n");
      expect(attempt.form.status).toBe(415);
      expect(await attempt.form.text()).toBe(
        'content type "application/x-www-form-urlencoded" is not accepted: send application/json\n',
      );
      expect(attempt.text.status).toBe(415);
    }
    expectBystanderUnharmed(report);
    // The right cookie is as good as the header.
    const cookie = await post(clusters, { cookie: `meshsync_token=${token}` });
    expect(cookie.status).toBe(200);
  });

  it("never shows a Secret's values, in the object, its data or the annotation kubectl apply leaves", async () => {
    // One Secret as kubectl apply writes it: the applied object, values in clear, in an annotation.
    const applied = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "applied", namespace: "default" },
      data: { token: Buffer.from("applied-token-in-clear").toString("base64") },
      stringData: { password: "applied-password-in-clear" },
    };
    const created = await fetch(`${bed.simOrigin}/api/v1/namespaces/default/secrets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...applied,
        metadata: {
          ...applied.metadata,
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(applied) },
        },
      }),
    });
    expect(created.status).toBe(201);
    const secrets = (await (await fetch(`${bed.simOrigin}/api/v1/secrets`)).json()) as {
      items: { data?: Record<string, string> }[];
    };
    const values = [
      "applied-token-in-clear",
      "applied-password-in-clear",
      ...secrets.items.flatMap((secret) => Object.values(secret.data ?? {})).filter((v) => v.length >= 8),
    ];
    expect(values.length).toBeGreaterThan(100);
    const query = {
      query:
        '{ resources(first: 1000, filter: { kinds: ["Secret"] }) { totalCount edges { node { name object annotations } } } }',
    };
    await eventually(
      async () => JSON.stringify((await post(query)).body).includes('"name":"applied"'),
      10_000,
      "the applied Secret in the graph",
    );
    const { outcome, report } = await bed.attack("Secret values over HTTP", () =>
      repeatFor(attackWindowMs, () => post(query)),
    );
    for (const answer of outcome) {
      expect(answer.status).toBe(200);
      const text = JSON.stringify(answer.body);
      expect((answer.body.data?.resources as { totalCount?: number } | undefined)?.totalCount).toBe(
        secrets.items.length,
      );
      expect(text).toContain("last-applied-configuration");
      for (const value of values) expect(text).not.toContain(value);
    }
    expectBystanderUnharmed(report);
  });
});
