import { readFileSync } from "node:fs";
import { closestName } from "@meshsync/k8s";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { quoteExcerpt } from "../graph/index.js";
import type { SettingType } from "./setting-types.js";

/**
 * A mistake in what the user gave meshsync (a flag, an environment variable, the config file, a
 * scenario): the CLI prints its message as one line and exits with status 2, without a stack.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One setting: its type, and where it may come from besides the config file's key of the same name. */
export interface Setting<T> {
  readonly type: SettingType<T>;
  /** The flag as typed, e.g. "--port". */
  readonly flag: string;
  readonly env?: string;
}

export type SettingTable = Record<string, Setting<unknown>>;

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `${quoteExcerpt(value)} (a string)`;
  if (typeof value === "number" || typeof value === "boolean") return `${String(value)} (a ${typeof value})`;
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : typeof value;
}

function invalid(where: string, type: SettingType<unknown>, got: string): ConfigError {
  return new ConfigError(`${where}: expected ${type.expected}, got ${got}`);
}

/** A list is described by its first bad item, which is what the user has to fix. */
function describeRefused(
  type: SettingType<unknown>,
  value: unknown,
  quote: (item: unknown) => string,
): string {
  if (!Array.isArray(value)) return quote(value);
  const bad = value.find((item) => !type.schema.safeParse([item]).success);
  return bad === undefined ? "a list" : quote(bad);
}

const quoteText = (value: unknown): string =>
  typeof value === "string" ? quoteExcerpt(value) : describeValue(value);

/** A typed value, as a config file holds it. */
export function checkValue<T>(type: SettingType<T>, value: unknown, where: string): T {
  const parsed = type.schema.safeParse(value);
  if (!parsed.success) throw invalid(where, type, describeRefused(type, value, describeValue));
  return parsed.data;
}

/**
 * What a flag or an environment variable says: text, through the type's one rule for text. Commander
 * hands over a switch as `true` and a repeatable flag as a list; those are checked as they are.
 */
export function checkText<T>(type: SettingType<T>, value: unknown, where: string): T {
  const input = typeof value === "string" ? type.fromText(value) : value;
  const parsed = type.schema.safeParse(input);
  if (!parsed.success) throw invalid(where, type, describeRefused(type, value, quoteText));
  return parsed.data;
}

/** The most of a config file meshsync reads: settings, not data. */
const maxConfigFileBytes = 1024 * 1024;

/**
 * The config file as a mapping of known settings, each checked against its type. Unknown keys are
 * refused by name, with the nearest known one suggested. `extra` are sections read elsewhere (such as
 * `selection`), accepted here as they are.
 */
export function readConfigFile(
  path: string,
  table: SettingTable,
  extra: readonly string[],
): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (text.length > maxConfigFileBytes) {
    throw new ConfigError(`${path}: the file is larger than ${maxConfigFileBytes} bytes`);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const first = ((error as Error).message.split("\n")[0] ?? "").trim().replace(/:$/, "");
    throw new ConfigError(`${path} is not valid YAML: ${first}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new ConfigError(`${path}: expected a mapping of settings, got ${describeValue(document)}`);
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [key, setting] of Object.entries(table)) shape[key] = setting.type.schema.optional();
  for (const key of extra) shape[key] = z.unknown().optional();
  const parsed = z.strictObject(shape).safeParse(document);
  if (parsed.success) return parsed.data;
  const known = [...Object.keys(table), ...extra];
  const values = document as Record<string, unknown>;
  // Report the first problem, as one line; the user fixes it and runs again.
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const near = closestName(key, known);
    throw new ConfigError(
      `${path}: unknown setting ${quoteExcerpt(key)}${near ? ` (did you mean "${near}"?)` : ""}`,
    );
  }
  const key = String(issue.path[0]);
  const setting = table[key];
  if (setting === undefined) throw new ConfigError(`${path}: ${key}: ${issue.message}`);
  throw invalid(`${path}: ${key}`, setting.type, describeRefused(setting.type, values[key], describeValue));
}

/** The property commander stores a flag under: "--allowed-origin" → "allowedOrigin". */
export function flagProperty(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Every setting of `table` from its winning source: flag, then environment, then the config file.
 * Only the winning value is read, so a variable that a flag overrides (Kubernetes sets MESHSYNC_PORT
 * for a Service named meshsync) does not stand in the way.
 */
export function resolveSettings(
  table: SettingTable,
  sources: { flags: Record<string, unknown>; env: NodeJS.ProcessEnv; file: Record<string, unknown> },
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table)) {
    const flag = sources.flags[flagProperty(setting.flag)];
    const fromEnv = setting.env === undefined ? undefined : sources.env[setting.env];
    if (flag !== undefined) resolved[key] = checkText(setting.type, flag, setting.flag);
    else if (fromEnv !== undefined && setting.env !== undefined)
      resolved[key] = checkText(setting.type, fromEnv, setting.env);
    else if (sources.file[key] !== undefined) resolved[key] = sources.file[key];
  }
  return resolved;
}
