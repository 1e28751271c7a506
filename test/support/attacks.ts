// The hostile inputs the attack files send over every transport, written once, and what each must get.
import { expect } from "vitest";
import { ErrorCode } from "../../src/api/index.js";

/** One field selector of 50,000 requirements, 17 characters each with its comma: 849,999 characters, as in the issue. */
export function fiftyThousandRequirements(): string {
  return Array.from(
    { length: 50_000 },
    (_, i) => `metadata.name=${(i % 1296).toString(36).padStart(2, "0")}`,
  ).join(",");
}

/**
 * A label selector at the requirement bound (100) that every object is evaluated against in full and
 * that matches nothing; each `variant` is a selector text of its own, so it shares no group or cache.
 */
export function selectorAtTheBound(variant = "final"): string {
  return [...Array.from({ length: 99 }, (_, i) => `!absent-${i}`), `absent-${variant}`].join(",");
}

/** `count` aliases each asking for a thousand whole objects: thirty is the amplification. */
export function pagesOfObjects(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: resources(first: 1000) { edges { node { object } } }`).join(" ")} }`;
}

/** `{a{a{…}}}` nested 3000 deep: 9 KB that overflows a recursive parser. */
export const deeplyNested = `${"{a".repeat(3000)}${"}".repeat(3000)}`;

/** Counts in `aliases` aliases, each scanning every object with the selector in `$s`. */
export function countsWithSelector(aliases: number): string {
  return `query Counts($s: String) { ${Array.from(
    { length: aliases },
    (_, i) => `a${i}: resources(first: 1, filter: { labelSelector: $s }) { totalCount }`,
  ).join(" ")} }`;
}

/** An invalid label selector of 900 KB, past the length bound: its error must not echo it. */
export const hugeLabelSelector = `app in (${"x,".repeat(450_000)}`;

/** 70,022 characters: past the 64 KiB a document may be. */
export const longDocument = `{ clusters { id } } # ${"x".repeat(70_000)}`;
/** 5,004 tokens: past the 5,000 the parser reads. */
export const manyTokensDocument = `{ clusters { ${"id ".repeat(5_000)} } }`;
/** 31 aliases: one past the limit. */
export const manyAliasesDocument = `{ ${Array.from({ length: 31 }, (_, i) => `c${i}: clusters { id }`).join(" ")} }`;

/** Documents past each of the limits on a document, and past the budget, each refused by name. */
export const documentsPastLimits: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  long: { query: longDocument },
  manyTokens: { query: manyTokensDocument },
  aliases: { query: manyAliasesDocument },
  costly: { query: countsWithSelector(30), variables: { s: selectorAtTheBound() } },
  hugeSelector: {
    query: "query Bad($s: String) { resources(filter: { labelSelector: $s }) { totalCount } }",
    variables: { s: hugeLabelSelector },
  },
};

type GraphQLErrorShape = { message: string; extensions?: Record<string, unknown> };

/** Each of documentsPastLimits refused by name: `errorOf` reads the one error a transport answered it with. */
export function expectRefusedPastLimits(
  errorOf: (name: keyof typeof documentsPastLimits) => GraphQLErrorShape,
): void {
  expect(errorOf("long")).toMatchObject({
    message: "the document is 70022 characters long; the limit is 65536",
    extensions: { code: ErrorCode.QueryTooLarge },
  });
  expect(errorOf("manyTokens").message).toMatch(/more th[ae][nt] 5000 tokens/);
  expect(errorOf("aliases")).toMatchObject({
    message: "the document uses 31 aliases; the limit is 30",
    extensions: { code: ErrorCode.QueryTooComplex },
  });
  expect(errorOf("costly")).toMatchObject({
    extensions: { code: ErrorCode.QueryTooCostly, budget: 100_000 },
  });
  expect(errorOf("hugeSelector")).toMatchObject({
    message: expect.stringMatching(/^label selector too long: 900008 characters, at most 65536: /),
    extensions: { code: ErrorCode.BadUserInput },
  });
}
