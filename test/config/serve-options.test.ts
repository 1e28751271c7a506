import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveServeOptions } from "../../src/config/index.js";

describe("resolveServeOptions", () => {
  it("defaults to loopback, port 8080, secrets redacted", () => {
    const options = resolveServeOptions({}, {});
    expect(options).toMatchObject({ host: "127.0.0.1", port: 8080, revealSecrets: false, contexts: [] });
    expect(options.token).toBeUndefined();
  });

  it("takes flags over environment over the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshsync-config-"));
    const file = join(dir, "meshsync.yaml");
    writeFileSync(file, "port: 7000\ntoken: from-file\ncontexts: [a, b]\nretainedChanges: 50\n");
    expect(resolveServeOptions({ config: file }, {})).toMatchObject({
      port: 7000,
      token: "from-file",
      contexts: ["a", "b"],
      retainedChanges: 50,
    });
    expect(
      resolveServeOptions({ config: file }, { MESHSYNC_PORT: "7001", MESHSYNC_TOKEN: "env" }),
    ).toMatchObject({ port: 7001, token: "env" });
    expect(
      resolveServeOptions({ config: file, port: "0", context: ["c"] }, { MESHSYNC_PORT: "7001" }),
    ).toMatchObject({ port: 0, contexts: ["c"] });
  });

  it("refuses a non-loopback bind without a token unless told it is meant", () => {
    expect(() => resolveServeOptions({ host: "0.0.0.0" }, {})).toThrow(/without a token/);
    expect(resolveServeOptions({ host: "0.0.0.0", token: "t" }, {}).token).toBe("t");
    expect(resolveServeOptions({ host: "0.0.0.0", insecure: true }, {}).insecure).toBe(true);
  });

  it("explains bad values and unreadable files", () => {
    expect(() => resolveServeOptions({ port: "http" }, {})).toThrow(ConfigError);
    expect(() => resolveServeOptions({ retainedChanges: "0" }, {})).toThrow(/positive integer/);
    expect(() => resolveServeOptions({ config: "/nonexistent/meshsync.yaml" }, {})).toThrow(
      /cannot read config file/,
    );
    const dir = mkdtempSync(join(tmpdir(), "meshsync-config-"));
    writeFileSync(join(dir, "bad.yaml"), "- just\n- a list\n");
    expect(() => resolveServeOptions({ config: join(dir, "bad.yaml") }, {})).toThrow(/expected a mapping/);
  });

  it("lets the operator opt out of Secret redaction the MeshSync way", () => {
    expect(resolveServeOptions({}, { MESHSYNC_REDACT_SECRETS: "false" }).revealSecrets).toBe(true);
  });
});

describe("type selection and output filters", () => {
  it("builds a whitelist with every event from --whitelist", () => {
    const options = resolveServeOptions({ whitelist: "pods.v1.,deployments.v1.apps" }, {});
    expect(options.selection?.whitelist).toEqual([
      { Resource: "pods.v1.", Events: ["ADDED", "MODIFIED", "DELETED"] },
      { Resource: "deployments.v1.apps", Events: ["ADDED", "MODIFIED", "DELETED"] },
    ]);
  });

  it("reads a MeshSync-style selection and output filters from the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshsync-config-"));
    const file = join(dir, "meshsync.yaml");
    writeFileSync(
      file,
      'selection:\n  whitelist:\n    - { Resource: "pods.v1.", Events: ["ADDED"] }\noutputNamespaces: [app]\noutputResources: "pod, service"\n',
    );
    const options = resolveServeOptions({ config: file }, {});
    expect(options.selection?.whitelist).toEqual([{ Resource: "pods.v1.", Events: ["ADDED"] }]);
    expect(options.outputNamespaces).toEqual(["app"]);
    expect(options.outputResources).toEqual(["pod", "service"]);
  });

  it("leaves the selection to the cluster when nothing sets it, and refuses whitelist with blacklist", () => {
    expect(resolveServeOptions({}, {}).selection).toBeUndefined();
    expect(() => resolveServeOptions({ whitelist: "pods.v1.", blacklist: "nodes.v1." }, {})).toThrow(
      ConfigError,
    );
  });
});
