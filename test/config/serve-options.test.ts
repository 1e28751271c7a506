import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveServeOptions } from "../../src/config/index.js";

/** A config file with this YAML text, in a fresh directory; returns its path. */
function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "meshsync-config-")), "config.yaml");
  writeFileSync(file, yaml);
  return file;
}

/** The message resolveServeOptions throws, or a failure when it does not throw a ConfigError. */
function refusal(...args: Parameters<typeof resolveServeOptions>): string {
  try {
    resolveServeOptions(...args);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

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
    expect(refusal({ port: "http" }, {})).toBe(
      '--port: expected a port (an integer from 0 to 65535), got "http"',
    );
    expect(refusal({ retainedChanges: "0" }, {})).toBe(
      '--retained-changes: expected an integer from 1 to 10000000, got "0"',
    );
    expect(refusal({ retainedChangeBytes: "64MiB" }, {})).toBe(
      '--retained-change-bytes: expected an integer from 1 to 1099511627776, got "64MiB"',
    );
    expect(refusal({ config: "/nonexistent/meshsync.yaml" }, {})).toMatch(
      /^cannot read config file \/nonexistent\/meshsync.yaml: ENOENT/,
    );
    const list = configFile("- just\n- a list\n");
    expect(refusal({ config: list }, {})).toBe(`${list}: expected a mapping of settings, got a list`);
    const broken = configFile("port: [8080\n");
    expect(refusal({ config: broken }, {}).startsWith(`${broken} is not valid YAML: Flow sequence`)).toBe(
      true,
    );
    expect(refusal({ config: broken }, {})).not.toContain("\n");
  });

  it("lets the operator opt out of Secret redaction the MeshSync way, and only with exactly false", () => {
    expect(resolveServeOptions({}, { MESHSYNC_REDACT_SECRETS: "false" }).revealSecrets).toBe(true);
    for (const value of ["true", "False", "no", "0", ""]) {
      expect(resolveServeOptions({}, { MESHSYNC_REDACT_SECRETS: value }).revealSecrets).toBe(false);
    }
  });

  it("churns the embedded demo gently unless told otherwise, from a flag, the environment or the file", () => {
    expect(resolveServeOptions({}, {}).simChurn).toBe(3);
    expect(resolveServeOptions({ simChurn: "0" }, { MESHSYNC_SIM_CHURN: "5" }).simChurn).toBe(0);
    expect(resolveServeOptions({}, { MESHSYNC_SIM_CHURN: "0.5" }).simChurn).toBe(0.5);
    expect(resolveServeOptions({ config: configFile("simChurn: 0\n") }, {}).simChurn).toBe(0);
    expect(refusal({ simChurn: "-1" }, {})).toBe('--sim-churn: expected a number from 0 to 1000, got "-1"');
    expect(refusal({}, { MESHSYNC_SIM_CHURN: "lots" })).toBe(
      'MESHSYNC_SIM_CHURN: expected a number from 0 to 1000, got "lots"',
    );
  });

  it("takes DEBUG=true as MeshSync does, and leaves other tools' DEBUG values alone", () => {
    expect(resolveServeOptions({}, { DEBUG: "true" }).logLevel).toBe("debug");
    expect(resolveServeOptions({}, { DEBUG: "express:*" }).logLevel).toBe("info");
    expect(resolveServeOptions({}, { DEBUG: "true", MESHSYNC_LOG_LEVEL: "warn" }).logLevel).toBe("warn");
  });
});

describe("strict settings", () => {
  it("refuses YAML values of the wrong type instead of guessing, naming the file and key", () => {
    for (const [yaml, message] of [
      ['revealSecrets: "false"', 'revealSecrets: expected true or false, got "false" (a string)'],
      ["revealSecrets: no", 'revealSecrets: expected true or false, got "no" (a string)'],
      [
        "token: 123456",
        "token: expected a token of visible ASCII characters, without spaces, got 123456 (a number)",
      ],
      ['host: 0.0.0.0\ninsecure: "no"', 'insecure: expected true or false, got "no" (a string)'],
      ['port: "8080"', 'port: expected a port (an integer from 0 to 65535), got "8080" (a string)'],
      ["retainedChanges: 1.5", "retainedChanges: expected an integer from 1 to 10000000, got 1.5 (a number)"],
      [
        "allowedOrigins: [https://ui.example/]",
        'allowedOrigins: expected a list of origins such as https://meshery.example (scheme, host and optional port, no path), got "https://ui.example/" (a string)',
      ],
    ] as const) {
      const file = configFile(`${yaml}\n`);
      expect(refusal({ config: file }, {})).toBe(`${file}: ${message}`);
    }
  });

  it("refuses unknown keys by name and suggests the setting meant", () => {
    const typo = configFile("prot: 9000\n");
    expect(refusal({ config: typo }, {})).toBe(`${typo}: unknown setting "prot" (did you mean "port"?)`);
    const near = configFile("revealSecret: true\n");
    expect(refusal({ config: near }, {})).toBe(
      `${near}: unknown setting "revealSecret" (did you mean "revealSecrets"?)`,
    );
    const unrelated = configFile("colour: blue\n");
    expect(refusal({ config: unrelated }, {})).toBe(`${unrelated}: unknown setting "colour"`);
  });

  it("reads a flag's text and the environment's with the same rule, and names the source", () => {
    expect(refusal({ port: "80x" }, {})).toBe(
      '--port: expected a port (an integer from 0 to 65535), got "80x"',
    );
    expect(refusal({}, { MESHSYNC_PORT: "80x" })).toBe(
      'MESHSYNC_PORT: expected a port (an integer from 0 to 65535), got "80x"',
    );
    expect(refusal({ port: "0x50" }, {})).toMatch(/^--port: /);
    expect(refusal({ port: "1e3" }, {})).toMatch(/^--port: /);
    expect(resolveServeOptions({ port: "8081" }, { MESHSYNC_PORT: "8082" }).port).toBe(8081);
    expect(resolveServeOptions({}, { MESHSYNC_PORT: "8082" }).port).toBe(8082);
  });

  it("reads only the winning source, so a variable a flag overrides does not stand in the way", () => {
    // Kubernetes sets MESHSYNC_PORT=tcp://… in pods of a namespace with a Service named meshsync.
    const env = { MESHSYNC_PORT: "tcp://10.96.0.12:8080" };
    expect(resolveServeOptions({ port: "8080" }, env).port).toBe(8080);
    expect(refusal({}, env)).toBe(
      'MESHSYNC_PORT: expected a port (an integer from 0 to 65535), got "tcp://10.96.0.12:8080"',
    );
  });

  it("refuses a blank or spaced token, an unknown log level and a malformed host from any source", () => {
    expect(refusal({ token: " " }, {})).toBe(
      '--token: expected a token of visible ASCII characters, without spaces, got " "',
    );
    expect(refusal({}, { MESHSYNC_TOKEN: "two words" })).toMatch(/^MESHSYNC_TOKEN: expected a token/);
    expect(refusal({ logLevel: "loud" }, {})).toBe(
      '--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(refusal({ host: "http://0.0.0.0" }, {})).toBe(
      '--host: expected a host name or IP address (no scheme, no port), got "http://0.0.0.0"',
    );
    expect(refusal({ allowedHost: ["meshsync.example:8080"] }, {})).toMatch(
      /^--allowed-host: expected a list of host names/,
    );
    expect(
      resolveServeOptions({ allowedHost: ["meshsync.example", ".corp.example"] }, {}).allowedHosts,
    ).toEqual(["meshsync.example", ".corp.example"]);
  });

  it("quotes at most an excerpt of a huge bad value", () => {
    const message = refusal({ port: "9".repeat(100_000) }, {});
    expect(message.length).toBeLessThan(300);
    expect(message).toContain("(100000 characters)");
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

describe("relation rules from the config file", () => {
  const rule = "relations:\n  - type: backs-up\n    from: [{ kind: Backup, group: velero.io }]\n";

  it("reads an operator's rules beside the built-in ones", () => {
    const file = configFile(
      `${rule}    ref: { paths: [spec.storageLocation], to: { kind: BackupStorageLocation, group: velero.io } }\n`,
    );
    expect(resolveServeOptions({ config: file }, {}).relationRules).toEqual([
      {
        type: "backs-up",
        from: [{ kind: "Backup", group: "velero.io" }],
        ref: { paths: ["spec.storageLocation"], to: { kind: "BackupStorageLocation", group: "velero.io" } },
      },
    ]);
    expect(resolveServeOptions({}, {}).relationRules).toEqual([]);
  });

  it("refuses a malformed rule in one line naming the file, the rule and what is wrong", () => {
    expect(
      refusal({ config: configFile(`${rule}    ref: { paths: ["spec..x"], to: { kind: X } }\n`) }, {}),
    ).toMatch(
      /config\.yaml: relations: relation rule 0 \(backs-up\): field path "spec\.\.x": a step is empty at character 6$/,
    );
    expect(refusal({ config: configFile(`${rule}    ref: { paths: [spec.a] }\n`) }, {})).toMatch(
      /relations: relation rule 0 \(backs-up\): a ref names its kind by `to`, by a `kind` field, or both$/,
    );
    expect(
      refusal({ config: configFile("relations:\n  - type: Backs_Up\n    definition: true\n") }, {}),
    ).toMatch(/relations: relation rule 0\.type: a relation type is lower-case words joined by '-'/);
    expect(refusal({ config: configFile("relations: {}\n") }, {})).toMatch(
      /relations: expected a list of relation rules$/,
    );
    expect(
      refusal({ config: configFile(`${rule}    ref: { paths: [a], to: { kind: X } }\n    extra: 1\n`) }, {}),
    ).toMatch(/relations: relation rule 0/);
  });
});

describe("MeshSync's outputs, flags and environment", () => {
  it("publishes to NATS when a broker address is given, as MeshSync's default broker mode does", () => {
    expect(resolveServeOptions({}, {}).output).toBeUndefined();
    const fromEnv = resolveServeOptions({}, { BROKER_URL: "meshery-nats:4222" });
    expect(fromEnv.output).toBe("broker");
    expect(fromEnv.brokerUrls).toEqual(["meshery-nats:4222"]);
    expect(resolveServeOptions({ brokerUrl: "nats://a:4222,nats://b:4222" }, {}).brokerUrls).toEqual([
      "nats://a:4222",
      "nats://b:4222",
    ]);
    expect(refusal({ output: "broker" }, {})).toBe(
      "--output broker needs a NATS address: set --broker-url or BROKER_URL",
    );
    expect(refusal({ output: "kafka" }, {})).toBe('--output: expected broker or file, got "kafka"');
    expect(refusal({}, { BROKER_URL: "http://x/y z" })).toMatch(
      /^BROKER_URL: expected a list of NATS addresses/,
    );
  });

  it("writes a file only in file mode, and reads --stopAfter as Go's durations", () => {
    const file = resolveServeOptions({ output: "file", outputFile: "snap.yaml", stopAfter: "1m30s" }, {});
    expect(file).toMatchObject({ output: "file", outputFile: "snap.yaml", stopAfterMs: 90_000 });
    expect(resolveServeOptions({ stopAfter: "250ms" }, {}).stopAfterMs).toBe(250);
    expect(resolveServeOptions({ stopAfter: "1.5h" }, {}).stopAfterMs).toBe(5_400_000);
    expect(refusal({ stopAfter: "8" }, {})).toMatch(/^--stop-after: expected a duration such as 8s/);
    expect(refusal({ stopAfter: "8x" }, {})).toMatch(/^--stop-after: expected a duration/);
    expect(refusal({ outputFile: "snap.yaml" }, {})).toBe(
      "--output-file (--outputFile) applies only with --output file",
    );
  });

  it("answers health on MeshSync's port 11000 unless told otherwise, and reads content dedup as Go's ParseBool", () => {
    expect(resolveServeOptions({}, {}).healthPort).toBe(11_000);
    expect(resolveServeOptions({ healthPort: "0" }, {}).healthPort).toBe(0);
    expect(resolveServeOptions({}, {}).brokerContentDedup).toBe(false);
    for (const yes of ["1", "t", "TRUE", "true", "True"]) {
      expect(resolveServeOptions({}, { MESHSYNC_BROKER_CONTENT_DEDUP: yes }).brokerContentDedup).toBe(true);
    }
    expect(resolveServeOptions({}, { MESHSYNC_BROKER_CONTENT_DEDUP: "0" }).brokerContentDedup).toBe(false);
    expect(refusal({}, { MESHSYNC_BROKER_CONTENT_DEDUP: "yes" })).toMatch(
      /^MESHSYNC_BROKER_CONTENT_DEDUP: expected a boolean/,
    );
  });
});

describe("replication over NATS JetStream", () => {
  it("makes a lone watcher of --to-nats, and an elected one with client-go's timings by default", () => {
    expect(resolveServeOptions({ toNats: "nats://n:4222" }, {}).replication).toEqual({
      role: "watcher",
      servers: ["nats://n:4222"],
      maxLagMs: 10_000,
      streamReplicas: 1,
    });
    expect(resolveServeOptions({ toNats: "nats://n:4222", leaderElect: true }, {}).replication).toEqual({
      role: "watcher",
      servers: ["nats://n:4222"],
      maxLagMs: 10_000,
      streamReplicas: 1,
      election: {
        leaseName: "meshsync",
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
      },
    });
  });

  it("reads the election's flags and environment", () => {
    const options = resolveServeOptions(
      { leaseDuration: "3s", renewDeadline: "2s", retryPeriod: "500ms", identity: "pod-a" },
      {
        MESHSYNC_TO_NATS: "n:4222",
        MESHSYNC_LEADER_ELECT: "true",
        MESHSYNC_LEASE_NAMESPACE: "meshery",
        MESHSYNC_STREAM_REPLICAS: "3",
      },
    );
    expect(options.replication).toEqual({
      role: "watcher",
      servers: ["n:4222"],
      maxLagMs: 10_000,
      streamReplicas: 3,
      election: {
        leaseName: "meshsync",
        leaseNamespace: "meshery",
        identity: "pod-a",
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 500,
      },
    });
  });

  it("makes a gateway of --from-nats, with its lag bound", () => {
    expect(resolveServeOptions({ fromNats: "nats://n:4222", maxLag: "30s" }, {}).replication).toEqual({
      role: "gateway",
      servers: ["nats://n:4222"],
      maxLagMs: 30_000,
    });
  });

  it.each([
    [
      { fromNats: "n:4222", kubeconfig: "/k" },
      "--from-nats serves a gateway, which watches no cluster: drop --kubeconfig",
    ],
    [{ fromNats: "n:4222", toNats: "n:4222" }, "drop --to-nats"],
    [{ fromNats: "n:4222", sim: true }, "drop --sim"],
    [{ fromNats: "n:4222", leaseName: "x" }, "drop --lease-name"],
    [{ leaderElect: true }, "--leader-elect needs --to-nats"],
    [
      { toNats: "n:4222", leaderElect: true, output: "broker", brokerUrl: "n:4222" },
      "--output broker with --leader-elect",
    ],
    [{ streamReplicas: "3" }, "--stream-replicas applies only with --to-nats"],
    [{ toNats: "n:4222", streamReplicas: "6" }, "--stream-replicas"],
    [{ maxLag: "5s" }, "--max-lag applies only with --from-nats or --leader-elect"],
    [{ toNats: "n:4222", identity: "a" }, "--identity apply only with --leader-elect"],
    [{ toNats: "n:4222", allContexts: true }, "--to-nats replicates one cluster"],
    [{ toNats: "n:4222", context: ["a", "b"] }, "--to-nats replicates one cluster"],
    [
      { toNats: "n:4222", leaderElect: true, leaseDuration: "10s" },
      "--lease-duration must be longer than --renew-deadline",
    ],
    [
      { toNats: "n:4222", leaderElect: true, renewDeadline: "2s", retryPeriod: "2s", leaseDuration: "3s" },
      "--renew-deadline must be longer than 1.2 × --retry-period",
    ],
    [{ toNats: "http://n:4222" }, "--to-nats"],
  ] as const)("refuses %j", (flags, message) => {
    expect(() => resolveServeOptions(flags, {})).toThrow(ConfigError);
    expect(() => resolveServeOptions(flags, {})).toThrow(message);
  });

  it("is off without either flag", () => {
    expect(resolveServeOptions({}, {}).replication).toBeUndefined();
  });
});
