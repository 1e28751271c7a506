import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { kubeConfigForContext, loadKubeConfig } from "../../src/kube/connect.js";
import { KubeHttpClient } from "../../src/kube/http-client.js";
import { kubeconfigFor, startTinyServer, type TinyServer } from "./tiny-server.js";

let server: TinyServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers every request by writing these pieces one by one, then ending. */
async function streaming(pieces: Buffer[]): Promise<KubeHttpClient> {
  server = await startTinyServer(async (_request, response: http.ServerResponse) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    for (const piece of pieces) {
      if (!response.write(piece)) await new Promise((resolve) => response.once("drain", resolve));
    }
    response.end();
  });
  return new KubeHttpClient(
    kubeConfigForContext(loadKubeConfig({ kubeconfigYaml: kubeconfigFor(server.url) }), "tiny"),
    {
      maxLineBytes: 64 * 1024 * 1024,
    },
  );
}

async function readAll(client: KubeHttpClient): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of await client.openLines("/watch")) lines.push(line);
  return lines;
}

describe("watch lines", () => {
  it("splits lines however the chunks fall, including inside a multi-byte character", async () => {
    const text = Buffer.from('{"a":1}\n{"b":"é"}\n\n{"c"\n:3}\n{"last":true}');
    const cut = text.indexOf(Buffer.from("é")) + 1;
    const client = await streaming([
      text.subarray(0, 3),
      text.subarray(3, cut),
      text.subarray(cut, cut + 9),
      text.subarray(cut + 9),
    ]);
    expect(await readAll(client)).toEqual(['{"a":1}', '{"b":"é"}', '{"c"', ":3}", '{"last":true}']);
  });

  it("reads one very long line in time proportional to its length", async () => {
    const size = 32 * 1024 * 1024;
    const line = Buffer.alloc(size, 0x61);
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < size; offset += 16 * 1024)
      pieces.push(line.subarray(offset, offset + 16 * 1024));
    pieces.push(Buffer.from("\n"));
    const client = await streaming(pieces);
    const started = Date.now();
    const lines = await readAll(client);
    const elapsed = Date.now() - started;
    expect(lines.map((l) => l.length)).toEqual([size]);
    // Linear reading takes a fraction of a second; re-joining the line per chunk took several.
    expect(elapsed).toBeLessThan(3_000);
  }, 30_000);

  it("still refuses a line longer than the limit", async () => {
    server = await startTinyServer((_request, response) => {
      response.writeHead(200);
      response.end("x".repeat(5000));
    });
    const client = new KubeHttpClient(
      kubeConfigForContext(loadKubeConfig({ kubeconfigYaml: kubeconfigFor(server.url) }), "tiny"),
      { maxLineBytes: 1000 },
    );
    await expect(readAll(client)).rejects.toThrow(/longer than 1000 bytes/);
  });
});
