// DNS rebinding against the default `meshsync serve`: no token, bound to loopback, as a real process. A
// page at evil.example whose owner points the name at 127.0.0.1 sends `Host: evil.example:PORT` and the
// matching Origin, which no Origin check can tell from a same-origin page: the server must answer only
// the names it is known by, on every path and transport, and refuse the content types a page may send to
// another site without a preflight. A healthy client and serve's RSS are measured as in the other
// hostile-input files.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawGraphqlSocket } from "../server/raw-ws.js";
import { attackWindowMs, expectBystanderUnharmed, HostileBed, repeatFor } from "../support/hostile.js";
import { type RawAnswer, type RawRequest, rawRequest } from "../support/raw-http.js";

let bed: HostileBed;

beforeAll(async () => {
  bed = await HostileBed.start({ transport: "graphql-ws" });
}, 120_000);

afterAll(async () => {
  await bed?.stop();
});

/** A request with the Host header a rebinding page's browser sends; fetch will not set Host. */
function raw(path: string, options: RawRequest = {}): Promise<RawAnswer> {
  return rawRequest(new URL(path, bed.origin).href, options);
}

describe("DNS rebinding against the tokenless loopback server", () => {
  const port = () => new URL(bed.origin).port;
  const rebound = () => ({ host: `evil.example:${port()}`, origin: `http://evil.example:${port()}` });
  const clusters = JSON.stringify({
    query: "{ clusters { id name } resources(first: 5) { edges { node { name } } } }",
  });

  it("answers a rebound name on no path and no method, and its own names as before", async () => {
    const { outcome, report } = await bed.attack("rebound Host and Origin over HTTP", () =>
      repeatFor(attackWindowMs, async () => ({
        form: await raw("/graphql", {
          method: "POST",
          headers: { ...rebound(), "content-type": "application/x-www-form-urlencoded" },
          body: `query=${encodeURIComponent("{ clusters { id } }")}`,
        }),
        json: await raw("/graphql", {
          method: "POST",
          headers: { ...rebound(), "content-type": "application/json" },
          body: clusters,
        }),
        get: await raw(`/graphql?query=${encodeURIComponent("{ clusters { id } }")}`, { headers: rebound() }),
        stream: await raw("/graphql", {
          method: "POST",
          headers: { ...rebound(), "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify({ query: "subscription { resourceChanges { sequence } }" }),
        }),
        metrics: await raw("/metrics", { headers: rebound() }),
        readyz: await raw("/readyz", { headers: rebound() }),
        // A trailing dot names the same host.
        dotted: await raw("/graphql", {
          method: "POST",
          headers: { host: `evil.example.:${port()}`, "content-type": "application/json" },
          body: clusters,
        }),
      })),
    );
    for (const attempt of outcome) {
      for (const [what, answer] of Object.entries(attempt)) {
        expect(answer.status, what).toBe(403);
        expect(answer.body, what).toMatch(
          /^host "evil\.example\.?:\d+" is not allowed: list it with --allowed-host, or set a token\n$/,
        );
        expect(answer.body, what).not.toContain("meshsync-sim");
      }
    }
    // The server's own names still work: a loopback name and its address.
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`]) {
      const answer = await raw("/graphql", {
        method: "POST",
        headers: { host, "content-type": "application/json" },
        body: clusters,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('"name":"meshsync-sim"');
    }
    expectBystanderUnharmed(report);
  });

  it("refuses the WebSocket upgrade for a rebound name", async () => {
    const { outcome, report } = await bed.attack("rebound Host and Origin on the upgrade", () =>
      repeatFor(attackWindowMs, () =>
        RawGraphqlSocket.open(bed.graphqlUrl, rebound()).then(
          async (socket) => {
            await socket.close();
            return "opened";
          },
          (error: Error) => error.message,
        ),
      ),
    );
    for (const answer of outcome) expect(answer).toBe("upgrade refused: 403");
    // The same page without the rebinding (its own origin on another site) is refused too, by Origin.
    await expect(RawGraphqlSocket.open(bed.graphqlUrl, { origin: "http://evil.example" })).rejects.toThrow(
      "upgrade refused: 403",
    );
    const own = await RawGraphqlSocket.connect(bed.graphqlUrl);
    own.subscribe("q", "{ clusters { name } }");
    expect((await own.waitFor((m) => m.id === "q")).payload).toEqual({
      data: { clusters: [{ name: "meshsync-sim" }] },
    });
    await own.close();
    expectBystanderUnharmed(report);
  });

  it("refuses the content types a page may send another site, on the server's own name too", async () => {
    const { outcome, report } = await bed.attack("cross-site content types to the loopback server", () =>
      repeatFor(attackWindowMs, async () =>
        Promise.all(
          [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain;charset=UTF-8",
          ].map((type) =>
            raw("/graphql", {
              method: "POST",
              headers: { host: `127.0.0.1:${port()}`, "content-type": type },
              body: clusters,
            }),
          ),
        ),
      ),
    );
    for (const answer of outcome.flat()) {
      expect(answer.status).toBe(415);
      expect(answer.body).toMatch(/^content type "[a-z/-]+" is not accepted: send application\/json\n$/);
    }
    expectBystanderUnharmed(report);
  });
});
