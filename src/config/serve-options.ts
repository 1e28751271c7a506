import {
  defaultMaxRetainedChanges,
  defaultRetainedChangeBytes,
  RelationRuleError,
  RuleSet,
} from "../graph/index.js";
import { parseSelectionConfig, type SelectionConfig, SelectionError } from "../kube/index.js";
import {
  bindHost,
  boolean,
  brokerUrls,
  duration,
  goBoolean,
  hostNames,
  logFormat,
  logLevel,
  names,
  nonNegativeNumber,
  origins,
  outputMode,
  port,
  positiveInteger,
  text,
  token,
} from "./setting-types.js";
import { ConfigError, checkText, readConfigFile, resolveSettings, type SettingTable } from "./settings.js";

/** Everything `meshsync serve` needs, after flags, environment and the config file are merged. */
export interface ServeOptions {
  kubeconfig?: string;
  contexts: string[];
  allContexts: boolean;
  /** Serve the embedded simulator instead of a real cluster. */
  sim: boolean;
  /** Changes a second the embedded simulator makes, so the demo shows life; 0 keeps it still. */
  simChurn: number;
  host: string;
  port: number;
  token?: string;
  /** Allow a non-loopback bind without a token (an explicit, logged choice). */
  insecure: boolean;
  revealSecrets: boolean;
  /** The most changes the change log retains whatever their bytes: a safety bound. */
  retainedChanges: number;
  /** Bytes of heap the change log's retained window may keep alive: what sets its length. */
  retainedChangeBytes: number;
  logLevel: string;
  /** Unset: pretty when stderr is a terminal, JSON otherwise. */
  logFormat?: "json" | "pretty";
  /** Browser origins, besides the server's own, that may use /graphql. */
  allowedOrigins: string[];
  /** Host names, besides loopback names and IP addresses, that a tokenless server answers to. */
  allowedHosts: string[];
  /** Which types to watch; undefined leaves it to the cluster's MeshSync resource, then the default. */
  selection?: SelectionConfig;
  /** MeshSync's --outputNamespaces: namespaced objects elsewhere are left out. */
  outputNamespaces: string[];
  /** MeshSync's --outputResources: only these types reach the graph. */
  outputResources: string[];
  /** Restart a watch that has sent nothing (not even a bookmark) for this long; engine default when unset. */
  stallTimeoutSeconds?: number;
  /** Relation rules of the config file's `relations:` list, besides the built-in ones; checked. */
  relationRules: unknown[];
  /** MeshSync's --output: publish to NATS (broker) or write a snapshot file (file); GraphQL is served either way. */
  output?: "broker" | "file";
  /** MeshSync's --outputFile; file mode's default name is chosen at write time, as MeshSync does. */
  outputFile?: string;
  /** MeshSync's --stopAfter: end the run after this long, as a signal would (file mode then writes). */
  stopAfterMs?: number;
  /** NATS servers for broker mode (--broker-url, BROKER_URL). */
  brokerUrls: string[];
  /** Broker mode's health server (/healthz, /readyz), on MeshSync's port 11000 unless told otherwise. */
  healthPort: number;
  /** MESHSYNC_BROKER_CONTENT_DEDUP: do not publish an object whose content did not change. */
  brokerContentDedup: boolean;
  /** Replication over NATS JetStream: a watcher that publishes its cluster, or a gateway that follows. */
  replication?: ReplicationOptions;
}

/** Leader election over a coordination.k8s.io Lease, as client-go's leaderelection takes it. */
export interface ElectionOptions {
  leaseName: string;
  /** Unset: the pod's namespace, else the kubeconfig context's, else `default` (found at start). */
  leaseNamespace?: string;
  /** Unset: POD_NAME, else the host name with a random suffix (chosen at start). */
  identity?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export type ReplicationOptions =
  | {
      /** Watches its one cluster and publishes every change to the cluster's change stream. */
      role: "watcher";
      servers: string[];
      /** Unset: this watcher leads alone. */
      election?: ElectionOptions;
      /** How far behind the stream a standby may fall before /readyz says it is not ready. */
      maxLagMs: number;
      /** Copies JetStream keeps of the cluster's streams (a clustered NATS: 3); 1 by default. */
      streamReplicas: number;
    }
  | {
      /** Opens no watch: builds its graph from the clusters' streams and serves it. */
      role: "gateway";
      servers: string[];
      maxLagMs: number;
    };

/** Flags as commander hands them over: text for valued flags, true for switches, lists for repeatable ones. */
export interface ServeFlags {
  kubeconfig?: unknown;
  context?: unknown;
  allContexts?: unknown;
  sim?: unknown;
  simChurn?: unknown;
  host?: unknown;
  port?: unknown;
  token?: unknown;
  insecure?: unknown;
  revealSecrets?: unknown;
  retainedChanges?: unknown;
  retainedChangeBytes?: unknown;
  logLevel?: unknown;
  logFormat?: unknown;
  allowedOrigin?: unknown;
  allowedHost?: unknown;
  /** Comma-separated `<plural>.<version>.<group>` names to watch (all their events). */
  whitelist?: unknown;
  /** Comma-separated `<plural>.<version>.<group>` names not to watch. */
  blacklist?: unknown;
  includeEvents?: unknown;
  outputNamespaces?: unknown;
  outputResources?: unknown;
  stallTimeout?: unknown;
  output?: unknown;
  outputFile?: unknown;
  stopAfter?: unknown;
  brokerUrl?: unknown;
  healthPort?: unknown;
  brokerContentDedup?: unknown;
  toNats?: unknown;
  fromNats?: unknown;
  leaderElect?: unknown;
  leaseName?: unknown;
  leaseNamespace?: unknown;
  streamReplicas?: unknown;
  identity?: unknown;
  leaseDuration?: unknown;
  renewDeadline?: unknown;
  retryPeriod?: unknown;
  maxLag?: unknown;
  config?: unknown;
}

/**
 * Every `serve` setting, by its config file key. Flags and environment variables, where a setting
 * has them, go through the same type; one table keeps the three sources from drifting apart.
 */
const serveSettings = {
  kubeconfig: { type: text, flag: "--kubeconfig" },
  contexts: { type: names, flag: "--context" },
  allContexts: { type: boolean, flag: "--all-contexts" },
  sim: { type: boolean, flag: "--sim" },
  simChurn: { type: nonNegativeNumber(1_000), flag: "--sim-churn", env: "MESHSYNC_SIM_CHURN" },
  host: { type: bindHost, flag: "--host", env: "MESHSYNC_HOST" },
  port: { type: port, flag: "--port", env: "MESHSYNC_PORT" },
  token: { type: token, flag: "--token", env: "MESHSYNC_TOKEN" },
  insecure: { type: boolean, flag: "--insecure" },
  revealSecrets: { type: boolean, flag: "--reveal-secrets" },
  retainedChanges: {
    type: positiveInteger(10_000_000),
    flag: "--retained-changes",
    env: "MESHSYNC_RETAINED_CHANGES",
  },
  retainedChangeBytes: {
    type: positiveInteger(2 ** 40),
    flag: "--retained-change-bytes",
    env: "MESHSYNC_RETAINED_CHANGE_BYTES",
  },
  logLevel: { type: logLevel, flag: "--log-level", env: "MESHSYNC_LOG_LEVEL" },
  logFormat: { type: logFormat, flag: "--log-format", env: "MESHSYNC_LOG_FORMAT" },
  allowedOrigins: { type: origins, flag: "--allowed-origin" },
  allowedHosts: { type: hostNames, flag: "--allowed-host" },
  outputNamespaces: { type: names, flag: "--output-namespaces" },
  outputResources: { type: names, flag: "--output-resources" },
  stallTimeoutSeconds: { type: positiveInteger(86_400), flag: "--stall-timeout" },
  output: { type: outputMode, flag: "--output" },
  outputFile: { type: text, flag: "--output-file" },
  stopAfterMs: { type: duration(366 * 24 * 3_600_000), flag: "--stop-after" },
  brokerUrls: { type: brokerUrls, flag: "--broker-url", env: "BROKER_URL" },
  healthPort: { type: port, flag: "--health-port", env: "MESHSYNC_HEALTH_PORT" },
  brokerContentDedup: {
    type: goBoolean,
    flag: "--broker-content-dedup",
    env: "MESHSYNC_BROKER_CONTENT_DEDUP",
  },
  toNats: { type: brokerUrls, flag: "--to-nats", env: "MESHSYNC_TO_NATS" },
  fromNats: { type: brokerUrls, flag: "--from-nats", env: "MESHSYNC_FROM_NATS" },
  leaderElect: { type: boolean, flag: "--leader-elect", env: "MESHSYNC_LEADER_ELECT" },
  leaseName: { type: text, flag: "--lease-name", env: "MESHSYNC_LEASE_NAME" },
  leaseNamespace: { type: text, flag: "--lease-namespace", env: "MESHSYNC_LEASE_NAMESPACE" },
  identity: { type: text, flag: "--identity", env: "MESHSYNC_IDENTITY" },
  leaseDurationMs: { type: duration(86_400_000), flag: "--lease-duration" },
  renewDeadlineMs: { type: duration(86_400_000), flag: "--renew-deadline" },
  retryPeriodMs: { type: duration(86_400_000), flag: "--retry-period" },
  maxLagMs: { type: duration(86_400_000), flag: "--max-lag", env: "MESHSYNC_MAX_LAG" },
  // nats-server allows at most 5 replicas of a stream.
  streamReplicas: { type: positiveInteger(5), flag: "--stream-replicas", env: "MESHSYNC_STREAM_REPLICAS" },
} satisfies SettingTable;

/** Sections of the config file that have a reader of their own. */
const fileSections = ["selection", "relations"] as const;

type Resolved = {
  -readonly [K in keyof typeof serveSettings]?: (typeof serveSettings)[K]["type"] extends {
    schema: { _output: infer T };
  }
    ? T
    : never;
};

const DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  retainedChanges: defaultMaxRetainedChanges,
  retainedChangeBytes: defaultRetainedChangeBytes,
  logLevel: "info",
  // A few changes a second: enough for a subscription to show life, too few to bury one change.
  simChurn: 3,
  // kube-apiserver sends a BOOKMARK about every minute to a watch that asked for them (since 1.19),
  // so three silent minutes mean a dead stream; on a server that sends none, a quiet but healthy
  // watch is merely reopened from the same resourceVersion, which costs no relist.
  stallTimeoutSeconds: 180,
  // MeshSync's health server port (its config.Server["port"]), where Meshery's probes look.
  healthPort: 11_000,
  // client-go's defaults (LeaseDuration 15s, RenewDeadline 10s, RetryPeriod 2s), which controllers keep.
  leaseName: "meshsync",
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  // Ten seconds behind the stream is several lease renewals: past it a replica is stuck, not busy.
  maxLagMs: 10_000,
};

/** client-go's leaderelection: the renew deadline must leave the retries room, and the Lease outlast it. */
const electionJitter = 1.2;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** Flags build a selection of their own; without any, the config file's `selection` section, if any. */
function resolveSelection(flags: ServeFlags, fromFile: unknown, file: string): SelectionConfig | undefined {
  const whitelist =
    flags.whitelist === undefined ? undefined : checkText(names, flags.whitelist, "--whitelist");
  const blacklist =
    flags.blacklist === undefined ? undefined : checkText(names, flags.blacklist, "--blacklist");
  const includeEvents =
    flags.includeEvents === undefined
      ? undefined
      : checkText(boolean, flags.includeEvents, "--include-events");
  try {
    if (whitelist || blacklist || includeEvents) {
      return parseSelectionConfig({
        ...(whitelist
          ? {
              whitelist: whitelist.map((Resource) => ({
                Resource,
                Events: ["ADDED", "MODIFIED", "DELETED"],
              })),
            }
          : {}),
        ...(blacklist ? { blacklist } : {}),
        ...(includeEvents ? { includeEvents: true } : {}),
      });
    }
    return fromFile === undefined ? undefined : parseSelectionConfig(fromFile, `${file}: selection`);
  } catch (error) {
    if (error instanceof SelectionError) throw new ConfigError(error.message);
    throw error;
  }
}

/** The config file's `relations:` list, compiled once here so that a bad rule stops the start with its reason. */
function resolveRelationRules(fromFile: unknown, file: string): unknown[] {
  if (fromFile === undefined || fromFile === null) return [];
  if (!Array.isArray(fromFile))
    throw new ConfigError(`${file}: relations: expected a list of relation rules`);
  try {
    new RuleSet(fromFile);
  } catch (error) {
    if (error instanceof RelationRuleError) throw new ConfigError(`${file}: relations: ${error.message}`);
    throw error;
  }
  return fromFile;
}

/**
 * MeshSync's environment: Secrets stay redacted unless MESHSYNC_REDACT_SECRETS is exactly "false" (a
 * typo keeps them redacted, the safe side), and DEBUG (a name other tools share, so other values are
 * left alone) asks for debug logs when true or 1, as MeshSync reads it.
 */
function meshSyncEnvironment(env: NodeJS.ProcessEnv): { revealSecrets?: boolean; logLevel?: string } {
  return {
    ...(env.MESHSYNC_REDACT_SECRETS === "false" ? { revealSecrets: true } : {}),
    ...(env.DEBUG?.toLowerCase() === "true" || env.DEBUG === "1" ? { logLevel: "debug" } : {}),
  };
}

/** Broker mode needs a NATS address; a file name means file mode; anything else is a contradiction. */
function resolveOutput(settings: Resolved): Pick<ServeOptions, "output" | "outputFile"> {
  const output = settings.output ?? (settings.brokerUrls?.length ? "broker" : undefined);
  if (output === "broker" && !settings.brokerUrls?.length) {
    throw new ConfigError("--output broker needs a NATS address: set --broker-url or BROKER_URL");
  }
  if (settings.outputFile !== undefined && output !== "file") {
    throw new ConfigError("--output-file (--outputFile) applies only with --output file");
  }
  return {
    ...(output === undefined ? {} : { output }),
    ...(settings.outputFile === undefined ? {} : { outputFile: settings.outputFile }),
  };
}

/**
 * `--to-nats` makes a watcher of one cluster (a change stream is one cluster's), optionally elected;
 * `--from-nats` a gateway, which reads no kubeconfig and so takes none of the watcher's settings.
 */
function resolveReplication(settings: Resolved): ReplicationOptions | undefined {
  const maxLagMs = settings.maxLagMs ?? DEFAULTS.maxLagMs;
  const streamReplicas = settings.streamReplicas ?? 1;
  const electionFlags = [
    ["--lease-name", settings.leaseName],
    ["--lease-namespace", settings.leaseNamespace],
    ["--identity", settings.identity],
    ["--lease-duration", settings.leaseDurationMs],
    ["--renew-deadline", settings.renewDeadlineMs],
    ["--retry-period", settings.retryPeriodMs],
  ] as const;
  const electionGiven = electionFlags.filter(([, value]) => value !== undefined).map(([flag]) => flag);
  if (settings.fromNats?.length) {
    const clashes = [
      ["--to-nats", settings.toNats?.length],
      ["--kubeconfig", settings.kubeconfig],
      ["--context", settings.contexts?.length],
      ["--all-contexts", settings.allContexts],
      ["--sim", settings.sim],
      ["--output", settings.output ?? (settings.brokerUrls?.length ? "broker" : undefined)],
      ["--leader-elect", settings.leaderElect],
      ["--stream-replicas", settings.streamReplicas],
    ]
      .filter(([, value]) => value !== undefined && value !== false && value !== 0)
      .map(([flag]) => flag);
    clashes.push(...electionGiven);
    if (clashes.length > 0)
      throw new ConfigError(
        `--from-nats serves a gateway, which watches no cluster: drop ${clashes.join(", ")}`,
      );
    return { role: "gateway", servers: settings.fromNats, maxLagMs };
  }
  if (!settings.toNats?.length) {
    if (settings.leaderElect)
      throw new ConfigError("--leader-elect needs --to-nats: only a replicating watcher elects");
    if (electionGiven.length > 0)
      throw new ConfigError(`${electionGiven.join(", ")} apply only with --to-nats --leader-elect`);
    if (settings.maxLagMs !== undefined)
      throw new ConfigError("--max-lag applies only with --from-nats or --leader-elect");
    if (settings.streamReplicas !== undefined)
      throw new ConfigError("--stream-replicas applies only with --to-nats");
    return undefined;
  }
  if (settings.allContexts || (settings.contexts?.length ?? 0) > 1)
    throw new ConfigError(
      "--to-nats replicates one cluster, into that cluster's stream: give at most one --context (run a watcher per cluster)",
    );
  if (!settings.leaderElect) {
    if (electionGiven.length > 0)
      throw new ConfigError(`${electionGiven.join(", ")} apply only with --leader-elect`);
    return { role: "watcher", servers: settings.toNats, maxLagMs, streamReplicas };
  }
  if (settings.output === "broker" || (settings.output === undefined && settings.brokerUrls?.length))
    throw new ConfigError(
      "--output broker with --leader-elect is not supported: every replica, standbys too, would publish Meshery's events; use one watcher without --leader-elect",
    );
  const election: ElectionOptions = {
    leaseName: settings.leaseName ?? DEFAULTS.leaseName,
    leaseDurationMs: settings.leaseDurationMs ?? DEFAULTS.leaseDurationMs,
    renewDeadlineMs: settings.renewDeadlineMs ?? DEFAULTS.renewDeadlineMs,
    retryPeriodMs: settings.retryPeriodMs ?? DEFAULTS.retryPeriodMs,
  };
  if (election.leaseDurationMs <= election.renewDeadlineMs)
    throw new ConfigError("--lease-duration must be longer than --renew-deadline");
  if (election.renewDeadlineMs <= electionJitter * election.retryPeriodMs)
    throw new ConfigError(`--renew-deadline must be longer than ${electionJitter} × --retry-period`);
  if (election.retryPeriodMs < 1) throw new ConfigError("--retry-period must be at least 1ms");
  if (settings.leaseNamespace !== undefined) election.leaseNamespace = settings.leaseNamespace;
  if (settings.identity !== undefined) election.identity = settings.identity;
  return { role: "watcher", servers: settings.toNats, election, maxLagMs, streamReplicas };
}

/**
 * Precedence: flag, then environment (MESHSYNC_*), then the config file, then the default; every
 * value is checked by its setting's type, and an error names where the value came from. A bind to a
 * non-loopback address without a token is refused unless `insecure` says it is meant.
 */
export function resolveServeOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const configPath = flags.config === undefined ? undefined : checkText(text, flags.config, "--config");
  const file = configPath === undefined ? {} : readConfigFile(configPath, serveSettings, fileSections);
  const settings = resolveSettings(serveSettings, { flags: { ...flags }, env, file }) as Resolved;
  const meshSync = meshSyncEnvironment(env);
  const options: ServeOptions = {
    contexts: settings.contexts ?? [],
    allContexts: settings.allContexts ?? false,
    sim: settings.sim ?? false,
    simChurn: settings.simChurn ?? DEFAULTS.simChurn,
    host: settings.host ?? DEFAULTS.host,
    port: settings.port ?? DEFAULTS.port,
    insecure: settings.insecure ?? false,
    revealSecrets: settings.revealSecrets ?? meshSync.revealSecrets ?? false,
    retainedChanges: settings.retainedChanges ?? DEFAULTS.retainedChanges,
    retainedChangeBytes: settings.retainedChangeBytes ?? DEFAULTS.retainedChangeBytes,
    logLevel: settings.logLevel ?? meshSync.logLevel ?? DEFAULTS.logLevel,
    allowedOrigins: settings.allowedOrigins ?? [],
    allowedHosts: settings.allowedHosts ?? [],
    outputNamespaces: settings.outputNamespaces ?? [],
    outputResources: settings.outputResources ?? [],
    stallTimeoutSeconds: settings.stallTimeoutSeconds ?? DEFAULTS.stallTimeoutSeconds,
    relationRules: resolveRelationRules(file.relations, configPath ?? "config"),
    brokerUrls: settings.brokerUrls ?? [],
    healthPort: settings.healthPort ?? DEFAULTS.healthPort,
    brokerContentDedup: settings.brokerContentDedup ?? false,
    ...resolveOutput(settings),
  };
  if (settings.stopAfterMs !== undefined) options.stopAfterMs = settings.stopAfterMs;
  const replication = resolveReplication(settings);
  if (replication !== undefined) options.replication = replication;
  const selection = resolveSelection(flags, file.selection, configPath ?? "config");
  if (selection !== undefined) options.selection = selection;
  if (settings.kubeconfig !== undefined) options.kubeconfig = settings.kubeconfig;
  if (settings.token !== undefined) options.token = settings.token;
  if (settings.logFormat !== undefined) options.logFormat = settings.logFormat;
  if (!isLoopback(options.host) && options.token === undefined && !options.insecure) {
    throw new ConfigError(
      `refusing to serve on ${options.host} without a token: set --token (or MESHSYNC_TOKEN), or pass --insecure`,
    );
  }
  return options;
}
