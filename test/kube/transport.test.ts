import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { kubeConfigForContext, loadKubeConfig } from "../../src/kube/connect.js";
import { KubeHttpClient } from "../../src/kube/http-client.js";
import { kubeconfigFor, sendJson, startTinyServer, type TinyServer } from "./tiny-server.js";

let server: TinyServer | undefined;
const scratchDirs: string[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function okServer(): Promise<TinyServer> {
  server = await startTinyServer((_request, response) => sendJson(response, 200, { kind: "Status" }));
  return server;
}

/** A kubeconfig whose user runs a credential plugin that prints the token currently in a file. */
function execKubeconfig(url: string, tokenFile: string): string {
  const script = `const t=require("fs").readFileSync(process.env.TOKEN_FILE,"utf8");
console.log(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1",kind:"ExecCredential",status:{token:t}}))`;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "tiny", cluster: { server: url } }],
    users: [
      {
        name: "tiny",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: process.execPath,
            args: ["-e", script],
            env: [{ name: "TOKEN_FILE", value: tokenFile }],
          },
        },
      },
    ],
    contexts: [{ name: "tiny", context: { cluster: "tiny", user: "tiny" } }],
    "current-context": "tiny",
  });
}

function clientFor(kubeconfigYaml: string): KubeHttpClient {
  return new KubeHttpClient(kubeConfigForContext(loadKubeConfig({ kubeconfigYaml }), "tiny"));
}

describe("KubeHttpClient connections", () => {
  it("reuses one connection for request after request", async () => {
    const tiny = await okServer();
    const client = clientFor(kubeconfigFor(tiny.url));
    for (let i = 0; i < 5; i++) await client.getJson("/api/v1/namespaces/kube-system");
    expect(tiny.requests).toHaveLength(5);
    expect(tiny.requests.every((request) => request.headers.authorization === "Bearer secret-token")).toBe(
      true,
    );
    expect(tiny.connections).toBe(1);
  });

  it("still asks a credential plugin for the token on every request", async () => {
    const tiny = await okServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exec-credential-"));
    scratchDirs.push(dir);
    const tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, "first");
    const client = clientFor(execKubeconfig(tiny.url, tokenFile));
    await client.getJson("/api");
    fs.writeFileSync(tokenFile, "second");
    await client.getJson("/api");
    expect(tiny.requests.map((request) => request.headers.authorization)).toEqual([
      "Bearer first",
      "Bearer second",
    ]);
    expect(tiny.connections).toBe(1);
  });
});
