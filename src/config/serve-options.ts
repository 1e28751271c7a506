import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { parseSelectionConfig, type SelectionConfig, SelectionError } from "../kube/index.js";

/** Everything `meshsync serve` needs, after flags, environment and the config file are merged. */
export interface ServeOptions {
  kubeconfig?: string;
  contexts: string[];
  allContexts: boolean;
  /** Serve the embedded simulator instead of a real cluster. */
  sim: boolean;
  host: string;
  port: number;
  token?: string;
  /** Allow a non-loopback bind without a token (an explicit, logged choice). */
  insecure: boolean;
  revealSecrets: boolean;
  retainedChanges: number;
  logLevel: string;
  /** Allowed Origin values for WebSocket upgrades; empty allows any. */
  allowedOrigins: string[];
  /** Which types to watch; undefined leaves it to the cluster's MeshSync resource, then the default. */
  selection?: SelectionConfig;
  /** MeshSync's --outputNamespaces: namespaced objects elsewhere are left out. */
  outputNamespaces: string[];
  /** MeshSync's --outputResources: only these types reach the graph. */
  outputResources: string[];
  /** Restart a watch that has sent nothing (not even a bookmark) for this long; engine default when unset. */
  stallTimeoutSeconds?: number;
}

/** Flags as commander hands them over; each is optional because the file and defaults fill the rest. */
export interface ServeFlags {
  kubeconfig?: string;
  context?: string[];
  allContexts?: boolean;
  sim?: boolean;
  host?: string;
  port?: string | number;
  token?: string;
  insecure?: boolean;
  revealSecrets?: boolean;
  retainedChanges?: string | number;
  logLevel?: string;
  allowedOrigin?: string[];
  /** Comma-separated `<plural>.<version>.<group>` names to watch (all their events). */
  whitelist?: string;
  /** Comma-separated `<plural>.<version>.<group>` names not to watch. */
  blacklist?: string;
  includeEvents?: boolean;
  outputNamespaces?: string;
  outputResources?: string;
  stallTimeout?: string | number;
  config?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const DEFAULTS: ServeOptions = {
  contexts: [],
  allContexts: false,
  sim: false,
  host: "127.0.0.1",
  port: 8080,
  insecure: false,
  revealSecrets: false,
  retainedChanges: 100_000,
  logLevel: "info",
  allowedOrigins: [],
  outputNamespaces: [],
  outputResources: [],
  // kube-apiserver sends a BOOKMARK about every minute to a watch that asked for them (since 1.19),
  // so three silent minutes mean a dead stream; on a server that sends none, a quiet but healthy
  // watch is merely reopened from the same resourceVersion, which costs no relist.
  stallTimeoutSeconds: 180,
};

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new ConfigError(`${where}: expected a mapping`);
  return value as Record<string, unknown>;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    return asRecord(parseYaml(text), path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
}

function port(value: unknown, where: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${where}: "${String(value)}" is not a port`);
  return n;
}

function positiveInt(value: unknown, where: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${where}: "${String(value)}" is not a positive integer`);
  return n;
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string")
    return value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw new ConfigError(`${where}: expected a list of strings`);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** Flags build a selection of their own; without any, the config file's `selection` section, if any. */
function resolveSelection(flags: ServeFlags, fromFile: unknown): SelectionConfig | undefined {
  try {
    if (flags.whitelist || flags.blacklist || flags.includeEvents) {
      return parseSelectionConfig({
        ...(flags.whitelist
          ? {
              whitelist: stringList(flags.whitelist, "whitelist").map((Resource) => ({
                Resource,
                Events: ["ADDED", "MODIFIED", "DELETED"],
              })),
            }
          : {}),
        ...(flags.blacklist ? { blacklist: stringList(flags.blacklist, "blacklist") } : {}),
        ...(flags.includeEvents ? { includeEvents: true } : {}),
      });
    }
    return fromFile === undefined ? undefined : parseSelectionConfig(fromFile, "selection");
  } catch (error) {
    if (error instanceof SelectionError) throw new ConfigError(error.message);
    throw error;
  }
}

/**
 * Precedence: flag, then environment (MESHSYNC_*), then the config file, then the default. A bind to a
 * non-loopback address without a token is refused unless `insecure` says it is meant.
 */
export function resolveServeOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const pick = <T>(flag: T | undefined, envValue: string | undefined, key: string): unknown =>
    flag ?? envValue ?? file[key];
  const contexts =
    flags.context && flags.context.length > 0 ? flags.context : stringList(file.contexts, "contexts");
  const options: ServeOptions = {
    ...DEFAULTS,
    contexts,
    allContexts: Boolean(pick(flags.allContexts, undefined, "allContexts") ?? false),
    sim: Boolean(pick(flags.sim, undefined, "sim") ?? false),
    host: String(pick(flags.host, env.MESHSYNC_HOST, "host") ?? DEFAULTS.host),
    port: port(pick(flags.port, env.MESHSYNC_PORT, "port") ?? DEFAULTS.port, "port"),
    insecure: Boolean(pick(flags.insecure, undefined, "insecure") ?? false),
    revealSecrets:
      Boolean(pick(flags.revealSecrets, undefined, "revealSecrets")) ||
      env.MESHSYNC_REDACT_SECRETS === "false",
    retainedChanges: positiveInt(
      pick(flags.retainedChanges, env.MESHSYNC_RETAINED_CHANGES, "retainedChanges") ??
        DEFAULTS.retainedChanges,
      "retainedChanges",
    ),
    logLevel: String(
      pick(flags.logLevel, env.MESHSYNC_LOG_LEVEL ?? (env.DEBUG ? "debug" : undefined), "logLevel") ?? "info",
    ),
    allowedOrigins:
      flags.allowedOrigin && flags.allowedOrigin.length > 0
        ? flags.allowedOrigin
        : stringList(file.allowedOrigins, "allowedOrigins"),
  };
  options.outputNamespaces = stringList(flags.outputNamespaces ?? file.outputNamespaces, "outputNamespaces");
  options.outputResources = stringList(flags.outputResources ?? file.outputResources, "outputResources");
  const selection = resolveSelection(flags, file.selection);
  if (selection !== undefined) options.selection = selection;
  const stall = pick(flags.stallTimeout, undefined, "stallTimeoutSeconds");
  if (stall !== undefined) options.stallTimeoutSeconds = positiveInt(stall, "stallTimeoutSeconds");
  const kubeconfig = pick(flags.kubeconfig, undefined, "kubeconfig");
  if (typeof kubeconfig === "string" && kubeconfig !== "") options.kubeconfig = kubeconfig;
  const token = pick(flags.token, env.MESHSYNC_TOKEN, "token");
  if (typeof token === "string" && token !== "") options.token = token;
  if (!isLoopback(options.host) && options.token === undefined && !options.insecure) {
    throw new ConfigError(
      `refusing to serve on ${options.host} without a token: set --token (or MESHSYNC_TOKEN), or pass --insecure`,
    );
  }
  return options;
}
