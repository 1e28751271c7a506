import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedMessage } from "../../src/server/error-excerpts.js";
import { startTestServer, type TestServer } from "./fixtures.js";
import { RawGraphqlSocket } from "./raw-ws.js";

const huge = "x".repeat(900_000);

async function errorsOf(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return {
    length: text.length,
    errors: (JSON.parse(text) as { errors?: { message: string }[] }).errors ?? [],
  };
}

describe("errors quote an excerpt of the client's input, never all of it", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t.server.close();
  });

  it.each([
    [
      "a global id in node(id)",
      "query($id: ID!) { node(id: $id) { id } }",
      { id: huge },
      "is not an id this server issued",
    ],
    [
      "a cursor in after",
      "query($after: String) { resources(after: $after) { totalCount } }",
      { after: huge },
      "is not a cursor this server issued",
    ],
    [
      "a variable that does not coerce",
      "query($first: Int) { resources(first: $first) { totalCount } }",
      { first: huge },
      "Int cannot represent non-integer value",
    ],
  ])("%s", async (_what, query, variables, says) => {
    const { length, errors } = await errorsOf(t.server.url, query, variables);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(says);
    expect(errors[0]?.message).toContain(`"${"x".repeat(80)}"… (900000 characters)`);
    expect(length).toBeLessThan(1_000);
  });

  it("a field name in the document", async () => {
    const name = "f".repeat(60_000);
    const { length, errors } = await errorsOf(t.server.url, `{ ${name} }`, {});
    expect(errors[0]?.message).toMatch(
      /^Cannot query field "f{80}"… \(60000 characters\) on type "Query"\.$/,
    );
    expect(length).toBeLessThan(1_000);
  });

  it("over graphql-ws too", async () => {
    const socket = await RawGraphqlSocket.connect(t.server.url);
    try {
      socket.subscribe("node", "query($id: ID!) { node(id: $id) { id } }", { id: huge });
      const answer = await socket.waitFor((m) => m.id === "node" && m.type !== "complete");
      const text = JSON.stringify(answer.payload);
      expect(text).toContain("… (900000 characters) is not an id this server issued");
      expect(text.length).toBeLessThan(1_000);
      socket.subscribe("field", `{ ${"g".repeat(60_000)} }`);
      const field = await socket.waitFor((m) => m.id === "field");
      expect(JSON.stringify(field.payload)).toContain("… (60000 characters)");
      expect(JSON.stringify(field.payload).length).toBeLessThan(1_000);
    } finally {
      await socket.close();
    }
  });
});

describe("boundedMessage", () => {
  it("leaves short messages and short quotations alone", () => {
    expect(boundedMessage('Cannot query field "nmae" on type "Resource". Did you mean "name"?')).toBe(
      'Cannot query field "nmae" on type "Resource". Did you mean "name"?',
    );
  });

  it("cuts escaped quotations at their content, and any message past the overall bound", () => {
    const escaped = JSON.stringify(`a"b${"c".repeat(200)}`);
    expect(boundedMessage(`value ${escaped} is bad`)).toBe(
      `value "a\\"b${"c".repeat(77)}"… (203 characters) is bad`,
    );
    const many = Array.from({ length: 100 }, (_, i) => `"${"q".repeat(70)}${i}"`).join(" ");
    expect(boundedMessage(many)).toMatch(/… \(message cut\)$/);
    expect(boundedMessage(many).length).toBeLessThan(1_100);
  });
});
